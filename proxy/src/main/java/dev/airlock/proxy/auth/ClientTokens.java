package dev.airlock.proxy.auth;

import dev.airlock.common.Hashes;
import dev.airlock.config.ClientsConfig;
import dev.airlock.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Client tokens and the names they stand for ({@code clients.tokens}, {@code clients.tokensFile}).
 * Only the SHA-256 of each token is kept in memory, so neither a heap dump nor a log line can give
 * one away; a presented token is hashed and looked up. Tokens are long random strings, so a plain
 * hash (not a slow password hash) is the right tool.
 */
public final class ClientTokens {
    private static final Pattern HASHED = Pattern.compile("^sha256:[0-9a-fA-F]{64}$");
    private static final ClientTokens OFF = new ClientTokens(Map.of());
    private final Map<String, String> nameByHash;

    private ClientTokens(Map<String, String> nameByHash) {
        this.nameByHash = Map.copyOf(nameByHash);
    }

    /** Off: every request is anonymous and allowed. */
    public static ClientTokens off() {
        return OFF;
    }

    /** @throws ConfigException the tokens file cannot be read or a line is malformed */
    public static ClientTokens from(ClientsConfig config) {
        if (!config.enabled()) {
            return OFF;
        }
        Map<String, String> byHash = new LinkedHashMap<>();
        config.tokens().forEach((name, token) -> add(byHash, name, token, "clients.tokens"));
        if (config.tokensFile() != null) {
            readFile(config.tokensFile(), byHash);
        }
        if (byHash.isEmpty()) {
            throw new ConfigException("clients: the tokens file " + config.tokensFile() + " names no token");
        }
        return new ClientTokens(byHash);
    }

    public boolean enabled() {
        return !nameByHash.isEmpty();
    }

    /**
     * The name behind an {@code Authorization} header: {@code Bearer <token>} (npm, pnpm, yarn) or
     * {@code Basic} with the token as password (pip and uv with credentials in the index URL), or as
     * user name when the password is empty. Empty when absent or unknown.
     */
    public Optional<String> identify(String authorization) {
        if (authorization == null || nameByHash.isEmpty()) {
            return Optional.empty();
        }
        String h = authorization.trim();
        int sp = h.indexOf(' ');
        if (sp < 0) {
            return Optional.empty();
        }
        String scheme = h.substring(0, sp).toLowerCase(Locale.ROOT);
        String value = h.substring(sp + 1).trim();
        if (scheme.equals("bearer")) {
            return lookup(value);
        }
        if (scheme.equals("basic")) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = pair.indexOf(':');
            String user = colon < 0 ? pair : pair.substring(0, colon);
            String password = colon < 0 ? "" : pair.substring(colon + 1);
            return password.isEmpty() ? lookup(user) : lookup(password);
        }
        return Optional.empty();
    }

    private Optional<String> lookup(String token) {
        return token.isEmpty() ? Optional.empty() : Optional.ofNullable(nameByHash.get(sha256(token)));
    }

    /** The form {@code clients.tokens} and the tokens file accept in place of a clear token. */
    public static String hashed(String token) {
        return "sha256:" + sha256(token);
    }

    private static void add(Map<String, String> byHash, String name, String token, String where) {
        if (!ClientsConfig.NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": name '" + name + "' must be letters, digits and ._@+-");
        }
        String t = token.trim();
        String hash = HASHED.matcher(t).matches() ? t.substring(7).toLowerCase(Locale.ROOT) : sha256(t);
        if (!HASHED.matcher(t).matches() && t.length() < 16) {
            throw new ConfigException(where + ": the token of '" + name + "' is shorter than 16 characters");
        }
        String other = byHash.putIfAbsent(hash, name);
        if (other != null && !other.equals(name)) {
            throw new ConfigException(where + ": '" + name + "' and '" + other + "' have the same token");
        }
    }

    private static void readFile(Path file, Map<String, String> byHash) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("clients.tokensFile: cannot read " + file + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                // The line is not echoed: it may hold a token.
                throw new ConfigException("clients.tokensFile " + file + " line " + (i + 1) + ": expected 'name token'");
            }
            add(byHash, parts[0], parts[1], "clients.tokensFile " + file + " line " + (i + 1));
        }
    }

    private static String sha256(String s) {
        return Hashes.sha256Hex(s);
    }
}
