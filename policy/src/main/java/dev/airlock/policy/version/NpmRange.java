package dev.airlock.policy.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.semver4j.Semver;
import org.semver4j.range.RangeList;
import org.semver4j.range.RangeListFactory;

/**
 * An npm range ({@code ||} of comparator sets; hyphen ranges, {@code ~}, {@code ^}, x-ranges and
 * partial versions), evaluated by semver4j with pre-releases included: a pre-release matches when
 * it falls inside the bounds, as npm's {@code includePrerelease} reads it, which is the safe
 * reading for deny rules and advisories.
 *
 * <p>Two things stay here because semver4j does not do them:
 * <ul>
 *   <li>Refusing malformed ranges. semver4j drops what it cannot read ({@code ">=1.0.0 <<2"}
 *       becomes {@code ">=1.0.0"}), and a rule silently widened or narrowed is worse than one
 *       refused with the range in the message.</li>
 *   <li>Rewriting the forms semver4j 6.0.0 reads differently from npm: a lone wildcard ({@code x},
 *       {@code >=*}: every version; {@code <*}, {@code >*}: none), {@code ^0} and {@code ^0.0}
 *       (npm: {@code 0.x} and {@code 0.0.x}), and the full lower bound of a hyphen range (npm
 *       with pre-releases included starts it at {@code -0}). {@code NpmRangeVectorsTest} holds
 *       npm's own answers for these.</li>
 * </ul>
 */
public final class NpmRange implements VersionMatcher {
    private static final Pattern OR = Pattern.compile("\\s*\\|\\|\\s*");
    private static final Pattern HYPHEN = Pattern.compile("^\\s*(\\S+)\\s+-\\s+(\\S+)\\s*$");
    private static final Pattern COMPARATOR = Pattern.compile(
            "^(<=|>=|<|>|=|~>|~|\\^)?\\s*[v=]?(\\*|x|X|\\d+)(?:\\.(\\*|x|X|\\d+)(?:\\.(\\*|x|X|\\d+)"
                    + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?)?)?$");
    private static final Pattern OPERATOR_SPACE = Pattern.compile("(<=|>=|<|>|=|~>|~|\\^)\\s+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** A full version whose numbers may exceed what semver4j holds (an int); npm allows up to 2^53. */
    private static final Pattern LARGE = Pattern.compile("^\\s*v?(\\d+)\\.(\\d+)\\.(\\d+)([-+].*)?$");
    /** A comparator no version satisfies (npm's {@code <*}). */
    private static final String NOTHING = "<0.0.0-0";

    private final String text;
    private final RangeList ranges;

    private NpmRange(String text, RangeList ranges) {
        this.text = text;
        this.ranges = ranges;
    }

    /** @throws IllegalArgumentException naming the range, when it is not npm's grammar */
    public static NpmRange parse(String range) {
        List<String> sets = new ArrayList<>();
        for (String part : OR.split(range.trim(), -1)) {
            sets.add(set(part.trim(), range));
        }
        try {
            return new NpmRange(range, RangeListFactory.create(String.join(" || ", sets), true));
        } catch (IllegalArgumentException e) {
            // semver4j holds numbers as ints: a bound past 2^31-1 cannot be read.
            throw new IllegalArgumentException("invalid npm version range '" + range + "': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean matches(String version) {
        Semver v = semver(version);
        return v != null && ranges.isSatisfiedBy(v);
    }

    /**
     * The version as semver4j reads it; null when it is not one. A major, minor or patch past
     * semver4j's int is read as the largest int, so that a version an attacker numbers
     * 9999999999.0.0 still falls under a rule's range rather than outside every range. Such
     * versions compare equal to each other.
     */
    static Semver semver(String version) {
        if (version == null) {
            return null;
        }
        Semver v = Semver.parse(version);
        if (v != null) {
            return v;
        }
        Matcher m = LARGE.matcher(version);
        if (!m.matches()) {
            return null;
        }
        return Semver.parse(clamp(m.group(1)) + "." + clamp(m.group(2)) + "." + clamp(m.group(3))
                + (m.group(4) == null ? "" : m.group(4)));
    }

    /** A number past an int as the largest int; anything else (leading zeros too: not a version) as it is. */
    private static String clamp(String number) {
        boolean large = !number.startsWith("0") && (number.length() > 10 || Long.parseLong(number) > Integer.MAX_VALUE);
        return large ? String.valueOf(Integer.MAX_VALUE) : number;
    }

    private static String set(String set, String whole) {
        if (set.isEmpty()) {
            return "*";
        }
        Matcher h = HYPHEN.matcher(set);
        if (h.matches()) {
            Matcher low = bare(h.group(1), whole);
            bare(h.group(2), whole);
            boolean fullRelease = low.group(4) != null && !isWild(low.group(4)) && low.group(5) == null;
            String from = fullRelease ? low.group(2) + "." + low.group(3) + "." + low.group(4) + "-0" : h.group(1);
            return from + " - " + h.group(2);
        }
        List<String> out = new ArrayList<>();
        for (String c : SPACES.split(OPERATOR_SPACE.matcher(set).replaceAll("$1"))) {
            out.add(comparator(c, whole));
        }
        return String.join(" ", out);
    }

    private static String comparator(String c, String whole) {
        Matcher m = COMPARATOR.matcher(c);
        if (!m.matches()) {
            throw invalid(whole, c);
        }
        String op = m.group(1) == null ? "" : m.group(1);
        if (isWild(m.group(2))) {
            return op.equals("<") || op.equals(">") ? NOTHING : "*";
        }
        boolean zeroMajor = op.equals("^") && m.group(2).equals("0");
        if (zeroMajor && (m.group(3) == null || isWild(m.group(3)))) {
            return "0.x";
        }
        if (zeroMajor && m.group(3).equals("0") && (m.group(4) == null || isWild(m.group(4)))) {
            return "0.0.x";
        }
        return c;
    }

    /** A version or partial without an operator, as the ends of a hyphen range are written. */
    private static Matcher bare(String text, String whole) {
        Matcher m = COMPARATOR.matcher(text);
        if (!m.matches() || m.group(1) != null) {
            throw invalid(whole, text);
        }
        return m;
    }

    private static boolean isWild(String part) {
        return part.equals("*") || part.equalsIgnoreCase("x");
    }

    private static IllegalArgumentException invalid(String whole, String near) {
        return new IllegalArgumentException("invalid npm version range '" + whole + "' near '" + near + "'");
    }

    @Override
    public String toString() {
        return text;
    }
}
