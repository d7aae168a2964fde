package dev.airlock.policy.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEP 440 version, normalised (alternate spellings such as {@code 1.0-alpha1}, {@code 1.0.post}
 * and {@code v1} accepted) and ordered as the specification says.
 */
public record Pep440Version(int epoch, long[] release, String preLabel, long preNumber, long post, long dev,
                            String local) implements Comparable<Pep440Version> {
    private static final Pattern LOCAL_SEPARATOR = Pattern.compile("[-_]");
    private static final Pattern VERSION = Pattern.compile(
            "^\\s*v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)"
                    + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d+)?)?"
                    + "(?:(?:-(\\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\\d+)?))?"
                    + "(?:[-_.]?(dev)[-_.]?(\\d+)?)?"
                    + "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$",
            Pattern.CASE_INSENSITIVE);
    /** Absent parts sort around present ones; these sentinels encode the PEP 440 order. */
    private static final long NONE = -1;

    public static Pep440Version tryParse(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = VERSION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            int epoch = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            long[] release = Arrays.stream(m.group(2).split("\\.")).mapToLong(Long::parseLong).toArray();
            String preLabel = null;
            long preNumber = 0;
            if (m.group(3) != null) {
                preLabel = switch (m.group(3).toLowerCase(Locale.ROOT)) {
                    case "a", "alpha" -> "a";
                    case "b", "beta" -> "b";
                    default -> "rc";
                };
                preNumber = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
            }
            long post = NONE;
            if (m.group(5) != null) {
                post = Long.parseLong(m.group(5));
            } else if (m.group(6) != null) {
                post = m.group(7) == null ? 0 : Long.parseLong(m.group(7));
            }
            long dev = NONE;
            if (m.group(8) != null) {
                dev = m.group(9) == null ? 0 : Long.parseLong(m.group(9));
            }
            String local = m.group(10) == null ? null : LOCAL_SEPARATOR.matcher(m.group(10).toLowerCase(Locale.ROOT)).replaceAll(".");
            return new Pep440Version(epoch, release, preLabel, preNumber, post, dev, local);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static Pep440Version parse(String text) {
        Pep440Version v = tryParse(text);
        if (v == null) {
            throw new IllegalArgumentException("invalid PEP 440 version '" + text + "'");
        }
        return v;
    }

    public boolean isPrerelease() {
        return preLabel != null || dev != NONE;
    }

    public boolean isPostRelease() {
        return post != NONE;
    }

    /** The same version without its local label. */
    public Pep440Version public_() {
        return new Pep440Version(epoch, release, preLabel, preNumber, post, dev, null);
    }

    /** The version this is a post-release of: without post, dev and local ({@code 1.0a1.post2.dev3} -> {@code 1.0a1}). */
    public Pep440Version postBase() {
        return new Pep440Version(epoch, release, preLabel, preNumber, NONE, NONE, null);
    }

    /** The earliest pre-release of this version: dev 0, no local ({@code 1.2} -> {@code 1.2.dev0}). */
    public Pep440Version earliestPrerelease() {
        return new Pep440Version(epoch, release, preLabel, preNumber, post, 0, null);
    }

    /** Epoch and release only: the "base version". */
    public Pep440Version base() {
        return new Pep440Version(epoch, release, null, 0, NONE, NONE, null);
    }

    /** Release segment trimmed of trailing zeros, for comparisons (1.0 == 1.0.0). */
    long releasePart(int i) {
        return i < release.length ? release[i] : 0;
    }

    @Override
    public int compareTo(Pep440Version o) {
        int c = Integer.compare(epoch, o.epoch);
        if (c != 0) {
            return c;
        }
        for (int i = 0; i < Math.max(release.length, o.release.length); i++) {
            c = Long.compare(releasePart(i), o.releasePart(i));
            if (c != 0) {
                return c;
            }
        }
        c = Long.compare(preKey(), o.preKey());
        if (c == 0 && preLabel != null && o.preLabel != null) {
            c = Long.compare(preNumber, o.preNumber);
        }
        if (c != 0) {
            return c;
        }
        c = Long.compare(post, o.post);
        if (c != 0) {
            return c;
        }
        c = Long.compare(dev == NONE ? Long.MAX_VALUE : dev, o.dev == NONE ? Long.MAX_VALUE : o.dev);
        if (c != 0) {
            return c;
        }
        return compareLocal(local, o.local);
    }

    /** dev-only releases sort before pre-releases, which sort before the release. */
    private long preKey() {
        if (preLabel == null) {
            return dev != NONE && post == NONE ? -1 : 10;
        }
        return switch (preLabel) {
            case "a" -> 1;
            case "b" -> 2;
            default -> 3;
        };
    }

    private static int compareLocal(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean xn = x[i].chars().allMatch(Character::isDigit);
            boolean yn = y[i].chars().allMatch(Character::isDigit);
            int c;
            if (xn && yn) {
                c = new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]));
            } else if (xn != yn) {
                c = xn ? 1 : -1;
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pep440Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        List<Long> r = new ArrayList<>();
        for (long x : release) {
            r.add(x);
        }
        while (!r.isEmpty() && r.get(r.size() - 1) == 0) {
            r.remove(r.size() - 1);
        }
        return java.util.Objects.hash(epoch, r, preLabel, preNumber, post, dev, local);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (epoch != 0) {
            b.append(epoch).append('!');
        }
        for (int i = 0; i < release.length; i++) {
            b.append(i == 0 ? "" : ".").append(release[i]);
        }
        if (preLabel != null) {
            b.append(preLabel).append(preNumber);
        }
        if (post != NONE) {
            b.append(".post").append(post);
        }
        if (dev != NONE) {
            b.append(".dev").append(dev);
        }
        if (local != null) {
            b.append('+').append(local);
        }
        return b.toString();
    }
}
