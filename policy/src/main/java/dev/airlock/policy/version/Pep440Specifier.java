package dev.airlock.policy.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEP 440 specifier set ({@code >=1.0,<2}, {@code ~=2.2}, {@code ==1.4.*}, {@code !=1.5},
 * {@code ===foo}): every clause must hold. Pre-releases are matched when they fall inside the
 * bounds, the safe reading for deny rules.
 */
public final class Pep440Specifier implements VersionMatcher {
    private static final Pattern CLAUSE = Pattern.compile("^\\s*(~=|===|==|!=|<=|>=|<|>)\\s*([^\\s,;]+)\\s*$");

    private final String text;
    private final List<Predicate<String>> clauses;

    private Pep440Specifier(String text, List<Predicate<String>> clauses) {
        this.text = text;
        this.clauses = clauses;
    }

    public static Pep440Specifier parse(String spec) {
        List<Predicate<String>> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            out.add(clause(part, spec));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty PEP 440 specifier '" + spec + "'");
        }
        return new Pep440Specifier(spec, out);
    }

    @Override
    public boolean matches(String version) {
        for (Predicate<String> p : clauses) {
            if (!p.test(version)) {
                return false;
            }
        }
        return true;
    }

    private static Predicate<String> clause(String part, String whole) {
        Matcher m = CLAUSE.matcher(part);
        if (!m.matches()) {
            // A bare version reads as ==version, the way people write it in allow lists.
            if (Pep440Version.tryParse(part) != null) {
                Pep440Version v = Pep440Version.parse(part);
                return s -> parsed(s) != null && parsed(s).public_().equals(v.public_());
            }
            throw new IllegalArgumentException("invalid PEP 440 specifier '" + whole + "' near '" + part.trim() + "'");
        }
        String op = m.group(1);
        String arg = m.group(2);
        if (op.equals("===")) {
            return s -> s.trim().equalsIgnoreCase(arg);
        }
        if ((op.equals("==") || op.equals("!=")) && arg.endsWith(".*")) {
            Pep440Version prefix = version(arg.substring(0, arg.length() - 2), whole);
            Predicate<String> p = s -> {
                Pep440Version v = parsed(s);
                return v != null && prefixMatch(prefix, v);
            };
            return op.equals("==") ? p : p.negate().and(s -> parsed(s) != null);
        }
        Pep440Version spec = version(arg, whole);
        return switch (op) {
            case "==" -> s -> {
                Pep440Version v = parsed(s);
                // A specifier without a local label matches any local label of that version.
                return v != null && (spec.local() == null ? v.public_().equals(spec) : v.equals(spec));
            };
            case "!=" -> s -> {
                Pep440Version v = parsed(s);
                return v != null && !(spec.local() == null ? v.public_().equals(spec) : v.equals(spec));
            };
            case "<=" -> s -> {
                Pep440Version v = parsed(s);
                return v != null && v.public_().compareTo(spec) <= 0;
            };
            case ">=" -> s -> {
                Pep440Version v = parsed(s);
                return v != null && v.public_().compareTo(spec) >= 0;
            };
            case "<" -> s -> {
                Pep440Version v = parsed(s);
                // <V excludes V's own pre-releases (from V.dev0 up) unless V is one: <1.0 is not 1.0rc1,
                // but <1.0.post1 is, since 1.0rc1 is a pre-release of 1.0, not of 1.0.post1.
                return v != null && v.compareTo(spec) < 0
                        && (spec.isPrerelease() || !v.isPrerelease() || v.compareTo(spec.earliestPrerelease()) < 0);
            };
            case ">" -> s -> {
                Pep440Version v = parsed(s);
                // >V excludes V's own post-releases unless V is one (>1.0a1 is not 1.0a1.post1, but is
                // 1.0.post1), and V's local versions (>1.0 is not 1.0+local).
                return v != null && v.compareTo(spec) > 0
                        && (spec.isPostRelease() || !v.isPostRelease() || !v.postBase().equals(spec))
                        && !(v.local() != null && v.public_().equals(spec));
            };
            case "~=" -> compatible(spec, arg, whole);
            default -> throw new IllegalArgumentException("invalid PEP 440 specifier '" + whole + "'");
        };
    }

    /** {@code ~=2.2.1} means {@code >=2.2.1, ==2.2.*}. */
    private static Predicate<String> compatible(Pep440Version spec, String arg, String whole) {
        if (spec.release().length < 2) {
            throw new IllegalArgumentException("~= needs at least two release parts in '" + whole + "'");
        }
        long[] prefixRelease = Arrays.copyOf(spec.release(), spec.release().length - 1);
        Pep440Version prefix = new Pep440Version(spec.epoch(), prefixRelease, null, 0, -1, -1, null);
        return s -> {
            Pep440Version v = parsed(s);
            return v != null && v.public_().compareTo(spec) >= 0 && prefixMatch(prefix, v);
        };
    }

    /** {@code ==1.4.*}: the release starts with 1.4 (zero-padded), epochs equal. */
    private static boolean prefixMatch(Pep440Version prefix, Pep440Version v) {
        if (prefix.epoch() != v.epoch()) {
            return false;
        }
        for (int i = 0; i < prefix.release().length; i++) {
            if (prefix.release()[i] != v.releasePart(i)) {
                return false;
            }
        }
        return true;
    }

    private static Pep440Version version(String text, String whole) {
        Pep440Version v = Pep440Version.tryParse(text);
        if (v == null) {
            throw new IllegalArgumentException("invalid version '" + text + "' in PEP 440 specifier '" + whole + "'");
        }
        return v;
    }

    private static Pep440Version parsed(String s) {
        return Pep440Version.tryParse(s);
    }

    @Override
    public String toString() {
        return text;
    }
}
