package dev.airlock.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations the way operators write them: {@code 10s}, {@code 5m}, {@code 14d}, {@code 250ms} or ISO-8601. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d|w)$");
    private static final Pattern SECONDS = Pattern.compile("^\\d+$");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                case "d": return Duration.ofDays(n);
                case "w": return Duration.ofDays(7 * n);
                default: throw new AssertionError(m.group(2));
            }
        }
        if (SECONDS.matcher(t).matches()) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        try {
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid duration '" + text + "' (examples: 500ms, 10s, 5m, 14d, PT1H)");
        }
    }
}
