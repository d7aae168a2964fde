package dev.airlock.policy;

import dev.airlock.common.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API's bearer token: the configured one ({@code --admin-token} /
 * {@code AIRLOCK_ADMIN_TOKEN}), else one generated at first start into
 * {@code <data-dir>/admin-token}, readable by its owner only.
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] digest;
    private final String identity;
    private final Path file;

    private AdminToken(String token, Path file) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token must not be empty");
        }
        this.digest = sha256(token.trim());
        // Audit lines name the token by a fingerprint: it identifies which token acted without revealing it.
        this.identity = "token:" + HexFormat.of().formatHex(digest, 0, 4);
        this.file = file;
    }

    public static AdminToken of(String token) {
        return new AdminToken(token, null);
    }

    /** The configured token, or the one in (or newly generated into) {@code <dataDir>/admin-token}. */
    public static AdminToken resolve(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return new AdminToken(configured, null);
        }
        Path f = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(f)) {
                byte[] raw = new byte[32];
                RANDOM.nextBytes(raw);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
                try {
                    create(f);
                    Files.writeString(f, token + "\n", StandardCharsets.UTF_8);
                } catch (FileAlreadyExistsException raced) {
                    // Another process created it first: use theirs.
                }
            }
            String token = Files.readString(f, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalStateException(f + " is empty: delete it to generate a new admin token");
            }
            return new AdminToken(token, f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token file " + f, e);
        }
    }

    private static void create(Path f) throws IOException {
        try {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            Files.createFile(f, PosixFilePermissions.asFileAttribute(owner));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(f);
        }
    }

    /** Compares in constant time (digests of equal length), so the answer time reveals nothing. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented.trim()));
    }

    /** Checks an {@code Authorization} header value of the form {@code Bearer <token>}. */
    public boolean matchesAuthorization(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(header.substring(7));
    }

    /** Who acted, for the audit log. */
    public String identity() {
        return identity;
    }

    /** The generated token file, for the startup banner; empty when the token was configured. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    private static byte[] sha256(String s) {
        return Hashes.sha256(s);
    }
}
