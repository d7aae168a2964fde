package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.common.Json;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a project page for clients of Airlock: files of versions policy does not serve removed,
 * every file URL pointing at Airlock's {@code /pypi/files/...} (hash fragments, {@code upload-time},
 * {@code requires-python}, {@code yanked}, {@code size} and unknown keys kept).
 */
public final class SimpleRenderer {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** 1.4: PEP 792 project status; 1.3: PEP 740 provenance; 1.1: PEP 700 versions, size and upload-time. */
    static final String API_VERSION = "1.4";
    public static final String PROVENANCE_SUFFIX = ".provenance";
    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("^[0-9a-fA-F]{64}$");

    private SimpleRenderer() {
    }

    /** A file that stays on the page, with its version and Airlock URL. */
    public record Kept(ObjectNode file, String version, String proxyUrl) {
    }

    /** What a page shows after policy: kept files, allowed versions, and the versions hidden with why. */
    /** @param status the PEP 792 marker the page carries ({@link ProjectStatus#of}) */
    public record Filtered(SimpleProject project, List<Kept> files, List<String> versions, Map<String, Decision> hidden,
                           ProjectStatus status) {
    }

    /**
     * Keeps each file that policy serves. A release's files are judged one by one (a malicious
     * platform wheel beside a clean sdist hides only itself); a version stays listed while any of
     * its files does.
     */
    public static Filtered filter(SimpleProject p, String normalisedName, VerdictGate gate, String pypiBase) {
        Map<String, List<ObjectNode>> byVersion = new LinkedHashMap<>();
        for (ObjectNode f : p.files()) {
            String v = PypiFilenames.version(normalisedName, f.path("filename").asText());
            if (v != null) {
                byVersion.computeIfAbsent(v, k -> new ArrayList<>()).add(f);
            }
        }
        Set<String> all = new LinkedHashSet<>(p.versions());
        all.addAll(byVersion.keySet());
        Map<String, Decision> hidden = new LinkedHashMap<>();
        List<String> versions = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        ProjectStatus upstream = ProjectStatus.upstream(p);
        for (String v : all) {
            if (upstream.quarantined()) {
                // PEP 792: a quarantined project offers no distributions, whatever Airlock thinks of them.
                hidden.put(v, upstream.refusal(normalisedName));
                continue;
            }
            List<ObjectNode> files = byVersion.getOrDefault(v, List.of());
            Instant published = publishTime(files);
            PackageCoordinate c = coordinate(normalisedName, v);
            if (c == null) {
                hidden.put(v, Decision.hide("invalid_version", "version '" + v + "' is not a valid version string"));
                continue;
            }
            if (files.isEmpty()) {
                Decision d = decide(c, published, null, gate);
                if (d.serve()) {
                    versions.add(v);
                } else {
                    hidden.put(v, d);
                }
                continue;
            }
            Decision refused = null;
            boolean any = false;
            for (ObjectNode f : files) {
                ArtifactFile file = fileOf(f);
                Decision d = file == null ? Decision.hide("invalid_file", "the index lists a file Airlock cannot name")
                        : decide(c, published, file, gate);
                if (d.serve()) {
                    any = true;
                    kept.add(new Kept(f, v, proxyUrl(pypiBase, normalisedName, URI.create(f.path("url").asText()))));
                } else if (refused == null) {
                    refused = d;
                }
            }
            if (any) {
                versions.add(v);
            } else {
                hidden.put(v, refused);
            }
        }
        Filtered unmarked = new Filtered(p, kept, versions, hidden, upstream);
        return new Filtered(p, kept, versions, hidden, ProjectStatus.of(unmarked, upstream));
    }

    /** The file as policy judges it: name, published sha256 and upload time; null when the entry cannot name a file. */
    public static ArtifactFile fileOf(ObjectNode f) {
        String sha = f.path("hashes").path("sha256").asText(null);
        Instant uploaded = null;
        JsonNode t = f.path("upload-time");
        if (t.isTextual()) {
            try {
                uploaded = Instant.parse(t.asText());
            } catch (DateTimeParseException e) {
                // Unknown, which policy treats as new.
            }
        }
        try {
            return ArtifactFile.of(f.path("filename").asText(), sha != null && SHA256.matcher(sha).matches() ? sha : null, uploaded);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static PackageCoordinate coordinate(String name, String version) {
        try {
            return PackageCoordinate.of(Ecosystem.PYPI, name, version);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A version's first publish time is the earliest upload time of its files; null when none is known. */
    static Instant publishTime(List<ObjectNode> files) {
        Instant min = null;
        for (ObjectNode f : files) {
            JsonNode t = f.path("upload-time");
            if (t.isTextual()) {
                try {
                    Instant i = Instant.parse(t.asText());
                    if (min == null || i.isBefore(min)) {
                        min = i;
                    }
                } catch (DateTimeParseException e) {
                    // An unreadable time counts as unknown, which policy treats as new.
                }
            }
        }
        return min;
    }

    /** Fails closed: an entry that names no valid file, or a policy error, hides the file. */
    static Decision decide(PackageCoordinate c, Instant published, ArtifactFile file, VerdictGate gate) {
        try {
            return file == null ? gate.listed(c, published) : gate.listedFile(c, published, file);
        } catch (RuntimeException e) {
            return Decision.hide("policy_unavailable", "policy could not decide: " + e.getClass().getSimpleName());
        }
    }

    /** {@code <base>/pypi/files/<project>/<scheme>/<authority>/<path>}: reversible, and the project says whose file it is. */
    public static String proxyUrl(String pypiBase, String project, URI upstream) {
        return pypiBase + "files/" + project + "/" + upstream.getScheme() + "/" + upstream.getRawAuthority() + upstream.getRawPath();
    }

    /**
     * PEP 740: where Airlock relays a file's provenance, beside the file as PEP 658 puts its
     * {@code .metadata}; the route finds the upstream's {@code provenance} URL in the file's entry.
     */
    public static String provenanceUrl(String proxyFileUrl) {
        return proxyFileUrl + PROVENANCE_SUFFIX;
    }

    /** Only a hashed core-metadata entry can be verified when served; unhashed ones are dropped from the page. */
    static JsonNode verifiableMetadata(ObjectNode f) {
        JsonNode cm = f.has("core-metadata") ? f.get("core-metadata") : f.get("dist-info-metadata");
        if (cm != null && cm.isObject() && cm.path("sha256").isTextual()) {
            return cm;
        }
        return null;
    }

    public static byte[] json(Filtered r) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = JSON.createObjectNode();
        meta.put("api-version", API_VERSION);
        root.set("meta", meta);
        root.put("name", r.project().name());
        r.project().topLevel().fields().forEachRemaining(e -> {
            if (!e.getKey().equals("meta") && !e.getKey().equals("name") && !e.getKey().equals("project-status")) {
                root.set(e.getKey(), e.getValue());
            }
        });
        if (!r.status().active() || r.project().topLevel().has("project-status")) {
            root.set("project-status", r.status().json());
        }
        ArrayNode files = root.putArray("files");
        for (Kept k : r.files()) {
            ObjectNode f = k.file().deepCopy();
            f.put("url", k.proxyUrl());
            JsonNode cm = verifiableMetadata(k.file());
            // PEP 714: both names, and only when Airlock serves the .metadata file (hashed, so it can verify it).
            f.remove("core-metadata");
            f.remove("dist-info-metadata");
            f.remove("data-dist-info-metadata");
            if (cm != null) {
                f.set("core-metadata", cm);
                f.set("dist-info-metadata", cm);
            }
            if (f.path("provenance").isTextual()) {
                f.put("provenance", provenanceUrl(k.proxyUrl()));
            }
            files.add(f);
        }
        ArrayNode versions = root.putArray("versions");
        r.versions().forEach(versions::add);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] html(Filtered r) {
        StringBuilder sb = new StringBuilder(256 + 256 * r.files().size());
        String name = escape(r.project().name());
        sb.append("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"" + API_VERSION + "\">\n");
        if (!r.status().active()) {
            sb.append("    <meta name=\"pypi:project-status\" content=\"").append(escape(r.status().status())).append("\">\n");
            if (r.status().reason() != null) {
                sb.append("    <meta name=\"pypi:project-status-reason\" content=\"").append(escape(r.status().reason()))
                        .append("\">\n");
            }
        }
        sb.append("    <title>Links for ").append(name).append("</title>\n  </head>\n  <body>\n")
                .append("    <h1>Links for ").append(name).append("</h1>\n");
        for (Kept k : r.files()) {
            ObjectNode f = k.file();
            sb.append("    <a href=\"").append(escape(k.proxyUrl()));
            String sha = f.path("hashes").path("sha256").asText(null);
            if (sha != null) {
                sb.append("#sha256=").append(escape(sha));
            }
            sb.append('"');
            if (f.path("requires-python").isTextual()) {
                sb.append(" data-requires-python=\"").append(escape(f.get("requires-python").asText())).append('"');
            }
            JsonNode cm = verifiableMetadata(f);
            if (cm != null) {
                String v = "sha256=" + cm.get("sha256").asText();
                sb.append(" data-core-metadata=\"").append(escape(v)).append('"');
                sb.append(" data-dist-info-metadata=\"").append(escape(v)).append('"');
            }
            if (f.path("provenance").isTextual()) {
                sb.append(" data-provenance=\"").append(escape(provenanceUrl(k.proxyUrl()))).append('"');
            }
            JsonNode y = f.path("yanked");
            if (y.isTextual()) {
                sb.append(" data-yanked=\"").append(escape(y.asText())).append('"');
            } else if (y.asBoolean(false)) {
                sb.append(" data-yanked=\"\"");
            }
            sb.append('>').append(escape(f.path("filename").asText())).append("</a><br />\n");
        }
        sb.append("  </body>\n</html>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
