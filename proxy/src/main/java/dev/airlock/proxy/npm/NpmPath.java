package dev.airlock.proxy.npm;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A package path under {@code /npm/} as a client sent it, parsed and validated: a packument
 * ({@code name}), a version document ({@code name/version}) or a tarball ({@code name/-/file.tgz}).
 * The same few paths are asked for again and again (every install of a tree fetches the same
 * tarballs), so what parsed cleanly is remembered by its raw form.
 *
 * @param kind  which resource
 * @param name  the package
 * @param child the version (or tag) of a version document, the file name of a tarball, else null
 */
record NpmPath(Kind kind, NpmPackageName name, String child) {
    enum Kind { PACKUMENT, VERSION, TARBALL }

    /** Characters a decoded package path may contain; anything else (.., backslashes, NUL) is refused. */
    private static final Pattern SAFE_PATH = Pattern.compile("^[A-Za-z0-9@/._~+-]+$");
    /** Raw paths that parsed; cleared when full, so a client sending endless new paths costs memory for a moment only. */
    private static final Map<String, NpmPath> KNOWN = new ConcurrentHashMap<>();
    static final int MAX_KNOWN = 4_096;

    /** Why a path is refused: a client error with its status. */
    static final class Invalid extends Exception {
        private final int status;

        Invalid(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** Parses the still percent-encoded path after {@code /npm/} (no endpoint under {@code -/}). */
    static NpmPath parse(String raw) throws Invalid {
        NpmPath known = KNOWN.get(raw);
        if (known != null) {
            return known;
        }
        NpmPath parsed = parseNew(raw);
        if (KNOWN.size() >= MAX_KNOWN) {
            KNOWN.clear();
        }
        KNOWN.put(raw, parsed);
        return parsed;
    }

    private static NpmPath parseNew(String raw) throws Invalid {
        String path;
        try {
            path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, "malformed percent-encoding in path");
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!SAFE_PATH.matcher(path).matches() || path.contains("..") || path.contains("//")) {
            throw new Invalid(400, "invalid npm path '" + dev.airlock.proxy.http.Answers.ascii(path) + "'");
        }
        String[] parts = path.split("/");
        int nameLen = parts[0].startsWith("@") ? 2 : 1;
        if (parts.length < nameLen) {
            throw new Invalid(400, "invalid npm package name");
        }
        NpmPackageName name;
        try {
            name = NpmPackageName.parse(nameLen == 2 ? parts[0] + "/" + parts[1] : parts[0]);
        } catch (IllegalArgumentException e) {
            throw new Invalid(400, e.getMessage());
        }
        int rest = parts.length - nameLen;
        if (rest == 0) {
            return new NpmPath(Kind.PACKUMENT, name, null);
        } else if (rest == 1) {
            return new NpmPath(Kind.VERSION, name, parts[nameLen]);
        } else if (rest == 2 && parts[nameLen].equals("-") && parts[nameLen + 1].endsWith(".tgz")) {
            return new NpmPath(Kind.TARBALL, name, parts[nameLen + 1]);
        }
        throw new Invalid(404, "no such npm resource: /" + path);
    }
}
