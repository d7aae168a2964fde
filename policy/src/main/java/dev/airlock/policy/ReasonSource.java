package dev.airlock.policy;

import java.util.Locale;

/** What produced a reason: a configured rule, the analysis, a malware feed or an admin. */
public enum ReasonSource {
    RULE, ANALYSIS, FEED, ADMIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }
}
