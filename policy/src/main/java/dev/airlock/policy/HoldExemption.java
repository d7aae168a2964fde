package dev.airlock.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * A break-glass exemption from the outbreak hold ({@code policy.holdPublishedAfter}) for one
 * version or every version of a package. Unlike an admin allow it lifts only that hold: the
 * analysis, the malware feed and the rules still decide. It always expires.
 *
 * @param target  {@code ecosystem:name@version} or {@code ecosystem:name}
 * @param reason  why (required, audited)
 * @param expires when it stops applying (required)
 * @param by      the admin token identity that granted it
 * @param at      when it was granted
 */
public record HoldExemption(String target, String reason, Instant expires, String by, Instant at) {
    public HoldExemption {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(expires, "a break-glass exemption always expires");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required");
        }
        reason = Reason.ascii(reason);
    }

    public boolean activeAt(Instant now) {
        return now.isBefore(expires);
    }
}
