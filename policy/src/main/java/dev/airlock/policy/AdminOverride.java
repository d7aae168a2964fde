package dev.airlock.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * An admin's decision, stronger than every rule and analysis result until it expires or is removed.
 *
 * @param target  {@code ecosystem:name@version} for one version, {@code ecosystem:name} for every version
 * @param action  allow or block
 * @param reason  why (required; shown to developers on a block)
 * @param expires when it stops applying (null: never)
 * @param by      the identity of the admin token
 * @param at      when it was set
 */
public record AdminOverride(String target, OverrideAction action, String reason, Instant expires, String by, Instant at) {
    public AdminOverride {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(action, "action");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required");
        }
        reason = Reason.ascii(reason);
    }

    public boolean activeAt(Instant now) {
        return expires == null || now.isBefore(expires);
    }
}
