package dev.airlock.model;

import java.util.Locale;

/** The package ecosystems Airlock fronts. The lower-case id is used in URLs, the API and storage keys. */
public enum Ecosystem {
    NPM("npm"),
    PYPI("pypi");

    private final String id;

    Ecosystem(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses {@code npm} or {@code pypi} (any case); anything else is a clear error. */
    public static Ecosystem parse(String text) {
        if (text != null) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Ecosystem e : values()) {
                if (e.id.equals(t)) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException("unknown ecosystem '" + text + "' (expected npm or pypi)");
    }

    @Override
    public String toString() {
        return id;
    }
}
