package dev.airlock.proxy.store;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hash a registry published for an artifact, which the bytes must match before they are
 * stored or served.
 *
 * @param algorithm JCA name: {@code SHA-256}, {@code SHA-512} or {@code SHA-1}
 * @param value     the expected digest bytes
 */
public record ExpectedDigest(String algorithm, byte[] value) {
    private static final Pattern HEX = Pattern.compile("^[0-9a-fA-F]+$");

    public ExpectedDigest {
        if (!algorithm.equals("SHA-256") && !algorithm.equals("SHA-512") && !algorithm.equals("SHA-1")) {
            throw new IllegalArgumentException("unsupported digest " + algorithm);
        }
        value = value.clone();
    }

    public static ExpectedDigest sha256Hex(String hex) {
        return new ExpectedDigest("SHA-256", hex(hex, 64));
    }

    public static ExpectedDigest sha1Hex(String hex) {
        return new ExpectedDigest("SHA-1", hex(hex, 40));
    }

    /**
     * npm's {@code dist}: the strongest of {@code integrity} (SRI, may list several) and
     * {@code shasum}. sha512 is preferred; sha1 only when nothing stronger is published.
     */
    public static ExpectedDigest fromNpmDist(String integrity, String shasum) {
        if (integrity != null) {
            ExpectedDigest best = null;
            for (String part : integrity.trim().split("\\s+")) {
                int dash = part.indexOf('-');
                if (dash <= 0) {
                    continue;
                }
                String algo = part.substring(0, dash).toLowerCase(Locale.ROOT);
                String b64 = part.substring(dash + 1);
                int q = b64.indexOf('?');
                if (q >= 0) {
                    b64 = b64.substring(0, q);
                }
                byte[] v;
                try {
                    v = Base64.getDecoder().decode(b64);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (algo.equals("sha512") && v.length == 64) {
                    return new ExpectedDigest("SHA-512", v);
                }
                if (algo.equals("sha256") && v.length == 32) {
                    best = new ExpectedDigest("SHA-256", v);
                } else if (algo.equals("sha1") && v.length == 20 && best == null) {
                    best = new ExpectedDigest("SHA-1", v);
                }
            }
            if (best != null && !best.algorithm.equals("SHA-1")) {
                return best;
            }
            if (shasum == null && best != null) {
                return best;
            }
        }
        if (shasum != null && HEX.matcher(shasum).matches() && shasum.length() == 40) {
            return sha1Hex(shasum);
        }
        throw new IllegalArgumentException("no usable integrity or shasum published");
    }

    private static byte[] hex(String hex, int len) {
        if (hex == null || hex.length() != len || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("expected " + len + " hex digits, got '" + hex + "'");
        }
        return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }

    public String describe() {
        return algorithm.toLowerCase(Locale.ROOT).replace("-", "") + " " + HexFormat.of().formatHex(value);
    }
}
