package dev.airlock.proxy.http;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Reads an {@code Accept} header into media type → quality, so each route only states its preferences. */
public final class AcceptHeader {
    private AcceptHeader() {
    }

    /** Lower-cased media types with their q (default 1.0; unreadable q counts as 0); the highest q wins for repeats. */
    public static Map<String, Double> qualities(String accept) {
        Map<String, Double> out = new HashMap<>();
        if (accept == null) {
            return out;
        }
        for (String part : accept.split(",")) {
            String[] p = part.trim().split(";");
            double q = 1.0;
            for (int i = 1; i < p.length; i++) {
                String s = p[i].trim();
                if (s.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(s.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            out.merge(p[0].trim().toLowerCase(Locale.ROOT), q, Math::max);
        }
        return out;
    }

    /** The highest quality among the given types (0 when none is listed). */
    public static double best(Map<String, Double> qualities, String... types) {
        double q = 0;
        for (String t : types) {
            q = Math.max(q, qualities.getOrDefault(t, 0.0));
        }
        return q;
    }
}
