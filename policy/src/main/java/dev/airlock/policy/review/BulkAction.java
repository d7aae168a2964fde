package dev.airlock.policy.review;

import java.util.Locale;

/** What a bulk action does to each version it selects. */
public enum BulkAction {
    /** A version override allowing it. */
    ALLOW,
    /** A version override blocking it. */
    BLOCK,
    /** A new analysis replacing the last one. */
    REANALYZE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BulkAction parse(String text) {
        if (text != null) {
            String t = text.trim().toLowerCase(Locale.ROOT).replace("-", "");
            for (BulkAction a : values()) {
                if (a.id().equals(t) || (a == REANALYZE && t.equals("reanalyse"))) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("unknown action '" + text + "' (expected allow, block or reanalyze)");
    }
}
