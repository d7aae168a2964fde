package dev.airlock.sql;

import dev.airlock.config.ConfigException;
import dev.airlock.config.StoreConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code store.url} turned into what the JDBC driver takes: a {@code jdbc:postgresql://} URL
 * without credentials, and the user and password taken from the URL, {@code store.user} and
 * {@code store.passwordFile}.
 */
public record StoreUrl(String jdbcUrl, String user, String password) {
    public static StoreUrl of(StoreConfig config) {
        String raw = config.url();
        if (raw == null) {
            throw new IllegalArgumentException("no store.url: the embedded store is in use");
        }
        String plain = raw.regionMatches(true, 0, "jdbc:", 0, 5) ? raw.substring(5) : raw;
        URI u = URI.create(plain);
        String user = config.user();
        String password = null;
        if (u.getRawUserInfo() != null) {
            String[] parts = u.getRawUserInfo().split(":", 2);
            if (user == null) {
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            }
            if (parts.length > 1) {
                password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            }
        }
        if (config.passwordFile() != null) {
            try {
                List<String> lines = Files.readAllLines(config.passwordFile(), StandardCharsets.UTF_8);
                password = lines.isEmpty() ? "" : lines.get(0).strip();
            } catch (IOException e) {
                throw new ConfigException("store.passwordFile " + config.passwordFile() + " cannot be read: " + e.getMessage(), e);
            }
        }
        String jdbc = "jdbc:postgresql://" + u.getRawAuthority().substring(u.getRawAuthority().indexOf('@') + 1)
                + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        return new StoreUrl(jdbc, user, password);
    }

    @Override
    public String toString() {
        return jdbcUrl + (user == null ? "" : " as " + user);
    }
}
