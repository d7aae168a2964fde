package dev.airlock.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/** Tiny real registry documents and artifacts, generated per test. */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] tarball(String name, String version) {
        // Not a real tar, but real gzip bytes: the proxy never opens tarballs, it verifies and relays them.
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(("package " + name + "@" + version + "\n").repeat(50).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }

    static String integrity(byte[] bytes) {
        return "sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", bytes));
    }

    static String sha1(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-1", bytes));
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest("SHA-256", bytes));
    }

    static byte[] digest(String algo, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algo).digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A full packument whose tarballs live at {@code upstreamBase}; versions are [version, integrity of bytes]. */
    static String packument(String name, String upstreamBase, String latest, String[][] versions) {
        StringBuilder v = new StringBuilder();
        StringBuilder t = new StringBuilder("\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2021-01-01T00:00:00.000Z\"");
        String file = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
        for (int i = 0; i < versions.length; i++) {
            String ver = versions[i][0];
            if (i > 0) {
                v.append(',');
            }
            v.append('"').append(ver).append("\":{\"name\":\"").append(name).append("\",\"version\":\"").append(ver)
                    .append("\",\"scripts\":{\"test\":\"echo\"},\"readme\":\"long text\",\"dist\":{\"tarball\":\"")
                    .append(upstreamBase).append(name).append("/-/").append(file).append('-').append(ver)
                    .append(".tgz\",\"integrity\":\"").append(versions[i][1]).append("\",\"shasum\":\"")
                    .append(versions[i].length > 2 ? versions[i][2] : "0000000000000000000000000000000000000000")
                    .append("\",\"fileCount\":1}}");
            t.append(",\"").append(ver).append("\":\"2020-0").append(Math.min(9, i + 1)).append("-01T00:00:00.000Z\"");
        }
        return "{\"_id\":\"" + name + "\",\"name\":\"" + name + "\",\"dist-tags\":{\"latest\":\"" + latest
                + "\",\"next\":\"" + latest + "\"},\"versions\":{" + v + "},\"time\":{" + t + "},\"readme\":\"r\"}";
    }
}
