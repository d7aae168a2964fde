package dev.airlock.proxy.npm;

import java.math.BigInteger;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Semantic-version ordering (semver 2.0 precedence), enough to re-point dist-tags. */
public final class NpmVersions {
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern SEMVER = Pattern.compile(
            "^v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?(?:\\+[0-9A-Za-z.-]+)?$");

    /** Orders valid semver by precedence; invalid versions sort before all valid ones, by text. */
    public static final Comparator<String> PRECEDENCE = NpmVersions::compare;

    private NpmVersions() {
    }

    public static boolean isValid(String v) {
        return v != null && SEMVER.matcher(v).matches();
    }

    public static boolean isPrerelease(String v) {
        Matcher m = SEMVER.matcher(v);
        return !m.matches() || m.group(4) != null;
    }

    static int compare(String a, String b) {
        Matcher x = SEMVER.matcher(a);
        Matcher y = SEMVER.matcher(b);
        boolean vx = x.matches();
        boolean vy = y.matches();
        if (!vx || !vy) {
            return vx == vy ? a.compareTo(b) : (vx ? 1 : -1);
        }
        for (int i = 1; i <= 3; i++) {
            int c = new BigInteger(x.group(i)).compareTo(new BigInteger(y.group(i)));
            if (c != 0) {
                return c;
            }
        }
        String px = x.group(4);
        String py = y.group(4);
        if (px == null || py == null) {
            return px == null ? (py == null ? 0 : 1) : -1;
        }
        String[] ix = px.split("\\.");
        String[] iy = py.split("\\.");
        for (int i = 0; i < Math.min(ix.length, iy.length); i++) {
            boolean nx = DIGITS.matcher(ix[i]).matches();
            boolean ny = DIGITS.matcher(iy[i]).matches();
            int c;
            if (nx && ny) {
                c = new BigInteger(ix[i]).compareTo(new BigInteger(iy[i]));
            } else if (nx != ny) {
                c = nx ? -1 : 1;
            } else {
                c = ix[i].compareTo(iy[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ix.length, iy.length);
    }
}
