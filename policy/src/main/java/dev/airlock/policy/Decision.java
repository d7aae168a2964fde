package dev.airlock.policy;

import java.util.Objects;

/**
 * Serve or hide, with the reason. The proxy turns a hide into its one HTTP answer (403, ASCII
 * reason phrase, {@code {"error": ...}}, {@code X-Airlock-Reason}); {@code code} is the stable
 * snake_case id shared by logs, metrics and the admin UI.
 *
 * @param serve        true when the version may be listed and downloaded
 * @param code         stable reason code, e.g. {@code quarantined_pending}; {@code allowed} when served
 * @param message      the sentence a developer sees
 * @param retryAfterSeconds for holds that may clear by themselves: a hint for {@code Retry-After}, else 0
 */
public record Decision(boolean serve, String code, String message, long retryAfterSeconds) {
    private static final Decision ALLOW = new Decision(true, "allowed", "allowed", 0);

    public Decision {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public static Decision allow() {
        return ALLOW;
    }

    public static Decision hide(String code, String message) {
        return new Decision(false, code, message, 0);
    }

    public static Decision hold(String code, String message, long retryAfterSeconds) {
        return new Decision(false, code, message, retryAfterSeconds);
    }
}
