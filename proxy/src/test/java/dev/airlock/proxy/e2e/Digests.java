package dev.airlock.proxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** The hash forms the registries publish: hex sha256 (PyPI), sha512 SRI and sha1 hex (npm). */
final class Digests {
    private Digests() {
    }

    static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("SHA-256", data));
    }

    static String sha1Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("SHA-1", data));
    }

    static String sri512(byte[] data) {
        return "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", data));
    }

    /** The wheel RECORD form: urlsafe base64 without padding. */
    static String recordSha256(byte[] data) {
        return "sha256=" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest("SHA-256", data));
    }

    static String sha256Hex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
