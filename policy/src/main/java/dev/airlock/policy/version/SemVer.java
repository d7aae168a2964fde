package dev.airlock.policy.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semantic version as npm reads it ({@code 1.2.3-beta.1+build}, an optional leading v or =). */
public record SemVer(long major, long minor, long patch, List<String> pre) implements Comparable<SemVer> {
    private static final Pattern FULL = Pattern.compile(
            "^\\s*[v=]?\\s*(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?\\s*$");
    private static final Pattern NUMERIC = Pattern.compile("^\\d+$");

    public SemVer {
        pre = List.copyOf(pre);
    }

    /** Parses a full version; null when it is not one. */
    public static SemVer tryParse(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = FULL.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
            return new SemVer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), pre);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public SemVer release() {
        return new SemVer(major, minor, patch, List.of());
    }

    public boolean isPrerelease() {
        return !pre.isEmpty();
    }

    @Override
    public int compareTo(SemVer o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (pre.isEmpty() || o.pre.isEmpty()) {
            return Boolean.compare(pre.isEmpty(), o.pre.isEmpty());
        }
        for (int i = 0; i < Math.min(pre.size(), o.pre.size()); i++) {
            String a = pre.get(i);
            String b = o.pre.get(i);
            boolean an = NUMERIC.matcher(a).matches();
            boolean bn = NUMERIC.matcher(b).matches();
            int r;
            if (an && bn) {
                r = new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
            } else if (an != bn) {
                r = an ? -1 : 1;
            } else {
                r = a.compareTo(b);
            }
            if (r != 0) {
                return r;
            }
        }
        return Integer.compare(pre.size(), o.pre.size());
    }

    static SemVer of(long major, long minor, long patch, List<String> pre) {
        return new SemVer(major, minor, patch, new ArrayList<>(pre));
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (pre.isEmpty() ? "" : "-" + String.join(".", pre));
    }
}
