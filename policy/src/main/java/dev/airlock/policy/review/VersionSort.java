package dev.airlock.policy.review;

import dev.airlock.policy.Verdict;
import java.time.Instant;
import java.util.Comparator;

/** The order of a listing: a field and a direction ({@code -firstSeen}: newest first). */
public record VersionSort(String field, boolean descending) {
    public static final VersionSort NEWEST_FIRST = new VersionSort("firstSeen", true);

    public VersionSort {
        if (!java.util.List.of("firstSeen", "decidedAt", "name", "state").contains(field)) {
            throw new IllegalArgumentException("sort must be firstSeen, decidedAt, name or state (prefix - for descending), got '"
                    + field + "'");
        }
    }

    public static VersionSort parse(String text) {
        if (text == null || text.isBlank()) {
            return NEWEST_FIRST;
        }
        String t = text.trim();
        return t.startsWith("-") ? new VersionSort(t.substring(1), true) : new VersionSort(t, false);
    }

    /** Ties broken by coordinate, so paging is stable. */
    public Comparator<Verdict> comparator() {
        Comparator<Verdict> c = switch (field) {
            case "decidedAt" -> Comparator.comparing(Verdict::decidedAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
            case "name" -> Comparator.comparing(v -> v.coordinate().name());
            case "state" -> Comparator.comparing(Verdict::state);
            default -> Comparator.comparing(Verdict::firstSeen, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
        };
        if (descending) {
            c = c.reversed();
        }
        return c.thenComparing(v -> v.coordinate().ecosystem()).thenComparing(v -> v.coordinate().name())
                .thenComparing(v -> v.coordinate().version());
    }

    @Override
    public String toString() {
        return (descending ? "-" : "") + field;
    }
}
