package dev.airlock.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Client identities ({@code clients.*}): optional tokens that name who downloads what. Off by
 * default; when any token is configured, package requests without a valid token get 401.
 *
 * @param tokens     name (a person or CI job, e.g. {@code ci-web}) to token; a token may be written as
 *                   {@code sha256:<hex>} so the configuration never holds it in clear
 * @param tokensFile a file of {@code name token} lines (same token forms, {@code #} comments), read at start
 */
public record ClientsConfig(Map<String, String> tokens, Path tokensFile) {
    /** Names end up in the downloads log and the UI: printable, no spaces or separators. */
    public static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$");

    public ClientsConfig {
        tokens = tokens == null ? Map.of() : Map.copyOf(tokens);
        tokens.forEach((name, token) -> {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("clients.tokens: name '" + name + "' must be letters, digits and ._@+- (up to 100)");
            }
            if (token == null || token.isBlank()) {
                throw new ConfigException("clients.tokens: the token of '" + name + "' is empty");
            }
        });
    }

    public static ClientsConfig defaults() {
        return new ClientsConfig(null, null);
    }

    /** True when client tokens are required on package requests. */
    public boolean enabled() {
        return !tokens.isEmpty() || tokensFile != null;
    }
}
