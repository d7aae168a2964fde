package dev.airlock.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 (and the other digests registries name) the one way Airlock computes them: lower-case
 * hex, UTF-8 for text, files streamed in 64 KiB reads.
 */
public final class Hashes {
    private static final HexFormat HEX = HexFormat.of();

    private Hashes() {
    }

    /** A fresh SHA-256 digest (every JRE has one). */
    public static MessageDigest sha256() {
        return digest("SHA-256");
    }

    /** A fresh digest of a JDK algorithm name ({@code SHA-256}, {@code SHA-512}, {@code MD5}). */
    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("this JDK has no " + algorithm + " digest", e);
        }
    }

    public static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    public static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes) {
        return HEX.formatHex(sha256(bytes));
    }

    public static String sha256Hex(String text) {
        return HEX.formatHex(sha256(text));
    }

    public static String sha256Hex(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HEX.formatHex(md.digest());
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
