package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.store.StoreJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What admins do about the outbreak hold: let one version or package through it for a while, with
 * a reason, or take that back. Every change is written with its audit line in one transaction and
 * re-decides the package at once; expiry needs no action, the hold simply applies again.
 */
public final class BreakGlass {
    /** Long enough for a release train, short enough that a forgotten exemption does not outlive the outbreak. */
    public static final Duration MAX_DURATION = Duration.ofDays(30);
    private final PolicyGate gate;

    BreakGlass(PolicyGate gate) {
        this.gate = gate;
    }

    /** The result of a change: its audit line and the verdicts that changed. */
    public record Change(HoldExemption exemption, AuditEntry audit, List<Verdict> changed) {
    }

    /**
     * Lets a version ({@code version} non-null) or every version of {@code id} through the hold for {@code duration}.
     *
     * @throws IllegalArgumentException no hold is configured, or the duration or reason is unusable
     */
    public Change grant(PackageId id, PackageCoordinate version, Duration duration, String reason, String who) {
        if (gate.outbreakHold().cutoff().isEmpty()) {
            throw new IllegalArgumentException("no outbreak hold is configured (policy.holdPublishedAfter)");
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("duration must be positive and at most " + MAX_DURATION.toDays() + " days");
        }
        Instant now = gate.clock().instant();
        String target = version == null ? id.toString() : version.toString();
        HoldExemption e = new HoldExemption(target, reason, now.plus(duration), who, now);
        AuditEntry line = new AuditEntry(0, now, who, "hold_exemption", target, null, null,
                e.reason() + " (expires " + e.expires() + ")");
        AuditEntry written;
        synchronized (this) {
            written = gate.store().changeHoldExemption(target, StoreJson.write(e), line);
            gate.outbreakHold().exemptions().put(target, e);
        }
        return new Change(e, written, gate.refresh(id, version == null ? Set.of() : Set.of(version)));
    }

    /** Ends an exemption before its time; empty when there was none. */
    public Optional<Change> revoke(PackageId id, PackageCoordinate version, String reason, String who) {
        Instant now = gate.clock().instant();
        String target = version == null ? id.toString() : version.toString();
        AuditEntry written;
        HoldExemption old;
        synchronized (this) {
            old = gate.outbreakHold().exemptions().get(target);
            if (old == null) {
                return Optional.empty();
            }
            AuditEntry line = new AuditEntry(0, now, who, "hold_exemption_removed", target, null, null,
                    reason == null || reason.isBlank() ? "removed (" + old.reason() + ")" : Reason.ascii(reason));
            written = gate.store().changeHoldExemption(target, null, line);
            gate.outbreakHold().exemptions().remove(target);
        }
        return Optional.of(new Change(old, written, gate.refresh(id, Set.of())));
    }

    /** Exemptions that still apply, soonest to expire first. */
    public List<HoldExemption> active() {
        Instant now = gate.clock().instant();
        List<HoldExemption> out = new ArrayList<>();
        for (HoldExemption e : gate.outbreakHold().exemptions().values()) {
            if (e.activeAt(now)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(HoldExemption::expires));
        return out;
    }

    /** The configured line, or empty when the hold is off. */
    public Optional<Instant> cutoff() {
        return gate.outbreakHold().cutoff();
    }
}
