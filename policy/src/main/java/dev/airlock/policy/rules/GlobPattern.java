package dev.airlock.policy.rules;

import java.util.regex.Pattern;

/**
 * A name pattern as operators write it: {@code *} any run of characters (scope slashes included),
 * {@code ?} one character, everything else literal. Compiled once.
 */
public final class GlobPattern {
    private final String glob;
    private final Pattern pattern;

    private GlobPattern(String glob, Pattern pattern) {
        this.glob = glob;
        this.pattern = pattern;
    }

    public static GlobPattern compile(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("empty name pattern");
        }
        StringBuilder re = new StringBuilder("^");
        StringBuilder literal = new StringBuilder();
        for (char c : glob.trim().toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return new GlobPattern(glob, Pattern.compile(re.append('$').toString()));
    }

    public boolean matches(String name) {
        return pattern.matcher(name).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
