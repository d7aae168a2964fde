package dev.airlock.config;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Reads moments the way operators write them: ISO-8601 with an offset ({@code 2026-11-24T08:00:00Z}) or a date (midnight UTC). */
public final class Instants {
    private Instants() {
    }

    public static Instant parse(String text) {
        String t = text.trim();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid moment '" + text + "' (ISO-8601 with an offset, e.g. "
                    + "2026-11-24T08:00:00Z, or a date such as 2026-11-24)");
        }
    }
}
