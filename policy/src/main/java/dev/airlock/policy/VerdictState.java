package dev.airlock.policy;

import java.util.Locale;

/** Where a version stands. The lower-case id is what the API and the store carry. */
public enum VerdictState {
    /** May be listed and downloaded. */
    ALLOWED,
    /** Never served: known bad, denied by a rule or by an admin. */
    BLOCKED,
    /** Hidden until an admin reviews it (suspicious analysis, look-alike name). */
    QUARANTINED,
    /** Hidden until its analysis finishes or a waiting period passes. */
    PENDING;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static VerdictState parse(String text) {
        if (text != null) {
            for (VerdictState s : values()) {
                if (s.id().equalsIgnoreCase(text.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown state '" + text + "' (expected allowed, blocked, quarantined or pending)");
    }

    @Override
    public String toString() {
        return id();
    }
}
