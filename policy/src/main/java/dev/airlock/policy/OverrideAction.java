package dev.airlock.policy;

import java.util.Locale;

/** What an admin decided for a version or a whole package. */
public enum OverrideAction {
    ALLOW, BLOCK;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OverrideAction parse(String text) {
        if ("allow".equalsIgnoreCase(text)) {
            return ALLOW;
        }
        if ("block".equalsIgnoreCase(text)) {
            return BLOCK;
        }
        throw new IllegalArgumentException("action must be \"allow\" or \"block\", got '" + text + "'");
    }

    @Override
    public String toString() {
        return id();
    }
}
