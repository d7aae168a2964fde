package dev.airlock.policy.version;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * npm's range grammar: {@code ||} of comparator sets; a set is a hyphen range or space-separated
 * comparators ({@code >=1.2.3}, {@code <2}, {@code =1.0.0}, {@code 1.2.x}, {@code ~1.2},
 * {@code ^0.3.1}, partial versions). Pre-releases match when they fall inside the bounds (as
 * npm's {@code includePrerelease}), which is the safe reading for deny rules and advisories.
 */
public final class NpmRange implements VersionMatcher {
    private static final Pattern OR = Pattern.compile("\\s*\\|\\|\\s*");
    private static final Pattern HYPHEN = Pattern.compile("^\\s*(\\S+)\\s+-\\s+(\\S+)\\s*$");
    private static final Pattern COMPARATOR = Pattern.compile(
            "^(<=|>=|<|>|=|~>|~|\\^)?\\s*[v=]?(\\*|x|X|\\d+)(?:\\.(\\*|x|X|\\d+)(?:\\.(\\*|x|X|\\d+)"
                    + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?)?)?$");
    private static final Pattern OPERATOR_SPACE = Pattern.compile("(<=|>=|<|>|=|~>|~|\\^)\\s+");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final String text;
    private final List<List<Predicate<SemVer>>> sets;

    private NpmRange(String text, List<List<Predicate<SemVer>>> sets) {
        this.text = text;
        this.sets = sets;
    }

    public static NpmRange parse(String range) {
        List<List<Predicate<SemVer>>> sets = new ArrayList<>();
        for (String part : OR.split(range.trim(), -1)) {
            sets.add(parseSet(part, range));
        }
        return new NpmRange(range, sets);
    }

    @Override
    public boolean matches(String version) {
        SemVer v = SemVer.tryParse(version);
        if (v == null) {
            return false;
        }
        for (List<Predicate<SemVer>> set : sets) {
            if (set.stream().allMatch(p -> p.test(v))) {
                return true;
            }
        }
        return false;
    }

    private static List<Predicate<SemVer>> parseSet(String set, String whole) {
        List<Predicate<SemVer>> out = new ArrayList<>();
        String s = set.trim();
        if (s.isEmpty()) {
            out.add(v -> true);
            return out;
        }
        Matcher h = HYPHEN.matcher(s);
        if (h.matches()) {
            Partial lo = Partial.parse(h.group(1), whole);
            Partial hi = Partial.parse(h.group(2), whole);
            SemVer low = lo.floor();
            out.add(v -> v.compareTo(low) >= 0);
            if (hi.major != null) {
                if (hi.isFull()) {
                    SemVer high = hi.floor();
                    out.add(v -> v.compareTo(high) <= 0);
                } else {
                    SemVer bound = hi.nextUp();
                    out.add(v -> lessThanBound(v, bound));
                }
            }
            return out;
        }
        for (String c : SPACES.split(OPERATOR_SPACE.matcher(s).replaceAll("$1"))) {
            out.addAll(comparator(c, whole));
        }
        return out;
    }

    private static List<Predicate<SemVer>> comparator(String c, String whole) {
        Matcher m = COMPARATOR.matcher(c);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid npm version range '" + whole + "' near '" + c + "'");
        }
        String op = m.group(1) == null ? "" : m.group(1);
        Partial p = Partial.of(m.group(2), m.group(3), m.group(4), m.group(5));
        List<Predicate<SemVer>> out = new ArrayList<>();
        if (p.major == null) {
            // *, x: every version, except that "<*" and ">*" match nothing.
            out.add(op.equals("<") || op.equals(">") ? v -> false : v -> true);
            return out;
        }
        SemVer floor = p.floor();
        switch (op) {
            case "", "=" -> {
                if (p.isFull()) {
                    out.add(v -> v.compareTo(floor) == 0);
                } else {
                    SemVer up = p.nextUp();
                    out.add(v -> v.compareTo(floor) >= 0);
                    out.add(v -> lessThanBound(v, up));
                }
            }
            case ">" -> {
                if (p.isFull()) {
                    out.add(v -> v.compareTo(floor) > 0);
                } else {
                    SemVer up = p.nextUp();
                    out.add(v -> v.compareTo(up) >= 0);
                }
            }
            case ">=" -> out.add(v -> v.compareTo(floor) >= 0);
            case "<" -> out.add(v -> v.compareTo(floor) < 0);
            case "<=" -> {
                if (p.isFull()) {
                    out.add(v -> v.compareTo(floor) <= 0);
                } else {
                    SemVer up = p.nextUp();
                    out.add(v -> lessThanBound(v, up));
                }
            }
            case "~", "~>" -> {
                SemVer up = p.minor == null ? SemVer.of(p.major + 1, 0, 0, List.of())
                        : SemVer.of(p.major, p.minor + 1, 0, List.of());
                out.add(v -> v.compareTo(floor) >= 0);
                out.add(v -> lessThanBound(v, up));
            }
            case "^" -> {
                SemVer up;
                if (p.major > 0 || p.minor == null) {
                    up = SemVer.of(p.major + 1, 0, 0, List.of());
                } else if (p.minor > 0 || p.patch == null) {
                    up = SemVer.of(0, p.minor + 1, 0, List.of());
                } else {
                    up = SemVer.of(0, 0, p.patch + 1, List.of());
                }
                out.add(v -> v.compareTo(floor) >= 0);
                out.add(v -> lessThanBound(v, up));
            }
            default -> throw new IllegalArgumentException("invalid npm version range '" + whole + "'");
        }
        return out;
    }

    /**
     * The implied upper bound of {@code ~}, {@code ^}, x-ranges and partial versions excludes the
     * bound's own pre-releases ({@code ^1.2.3} means below {@code 2.0.0-0}), as npm desugars them.
     */
    private static boolean lessThanBound(SemVer v, SemVer bound) {
        if (!bound.isPrerelease() && v.isPrerelease() && v.release().compareTo(bound) == 0) {
            return false;
        }
        return v.compareTo(bound) < 0;
    }

    @Override
    public String toString() {
        return text;
    }

    private record Partial(Long major, Long minor, Long patch, List<String> pre) {
        static Partial parse(String text, String whole) {
            Matcher m = COMPARATOR.matcher(text);
            if (!m.matches() || m.group(1) != null) {
                throw new IllegalArgumentException("invalid npm version range '" + whole + "' near '" + text + "'");
            }
            return of(m.group(2), m.group(3), m.group(4), m.group(5));
        }

        static Partial of(String a, String b, String c, String pre) {
            Long major = num(a);
            Long minor = major == null ? null : num(b);
            Long patch = minor == null ? null : num(c);
            List<String> p = patch == null || pre == null ? List.of() : List.of(pre.split("\\."));
            return new Partial(major, minor, patch, p);
        }

        private static Long num(String s) {
            if (s == null || s.equals("*") || s.equalsIgnoreCase("x")) {
                return null;
            }
            return Long.parseLong(s);
        }

        boolean isFull() {
            return patch != null;
        }

        SemVer floor() {
            return SemVer.of(major == null ? 0 : major, minor == null ? 0 : minor, patch == null ? 0 : patch, pre);
        }

        /** The first version past this partial: 1.2 -> 1.3.0, 1 -> 2.0.0. */
        SemVer nextUp() {
            if (minor == null) {
                return SemVer.of(major + 1, 0, 0, List.of());
            }
            return SemVer.of(major, minor + 1, 0, List.of());
        }
    }
}
