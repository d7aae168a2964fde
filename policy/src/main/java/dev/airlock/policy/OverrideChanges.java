package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Setting and removing admin overrides: each change is written with its audit line in one store
 * transaction, then the in-memory overrides follow and the verdicts it touches are re-decided.
 * Changes are serialised on this object (bulk actions take the same lock), so an audit line's
 * before and after states are the ones the change saw.
 */
final class OverrideChanges {
    private final PolicyGate gate;

    OverrideChanges(PolicyGate gate) {
        this.gate = gate;
    }

    /** Sets an override on {@code target}: one version ({@code version} given) or every version of {@code id}. */
    PolicyAdmin.OverrideChange set(String target, PackageId id, PackageCoordinate version, OverrideAction action,
                                   String reason, Instant expires, String who) {
        Instant now = gate.clock().instant();
        if (expires != null && !expires.isAfter(now)) {
            throw new IllegalArgumentException("expires must be in the future");
        }
        AdminOverride o = new AdminOverride(target, action, reason, expires, who, now);
        String before = version == null ? stateSummary(id) : gate.evaluate(version).state().id();
        String after = action == OverrideAction.ALLOW ? VerdictState.ALLOWED.id() : VerdictState.BLOCKED.id();
        AuditEntry line = new AuditEntry(0, now, who, "override_" + action.id(), target, before, after,
                o.reason() + (expires == null ? "" : " (expires " + expires + ")"));
        AuditEntry written;
        synchronized (this) {
            written = gate.store().changeOverride(target, o, line);
            gate.overrides().put(target, o);
        }
        return new PolicyAdmin.OverrideChange(written, gate.refresh(id, version == null ? Set.of() : Set.of(version)));
    }

    /** Removes the override on {@code target}; empty when there was none. */
    Optional<PolicyAdmin.OverrideChange> remove(String target, PackageId id, PackageCoordinate version, String reason,
                                                String who) {
        Instant now = gate.clock().instant();
        AuditEntry written;
        synchronized (this) {
            AdminOverride old = gate.overrides().get(target);
            if (old == null) {
                return Optional.empty();
            }
            String before = version == null ? stateSummary(id) : gate.evaluate(version).state().id();
            gate.overrides().remove(target);
            String after = version == null ? stateSummary(id) : gate.evaluate(version).state().id();
            AuditEntry line = new AuditEntry(0, now, who, "override_removed", target, before, after,
                    reason == null || reason.isBlank() ? "removed " + old.action().id() + " override (" + old.reason() + ")"
                            : Reason.ascii(reason));
            try {
                written = gate.store().changeOverride(target, null, line);
            } catch (RuntimeException e) {
                gate.overrides().put(target, old);
                throw e;
            }
        }
        return Optional.of(new PolicyAdmin.OverrideChange(written, gate.refresh(id, Set.of())));
    }

    /** For package-wide audit lines: how many known versions are in each state, e.g. {@code allowed:3 pending:1}. */
    private String stateSummary(PackageId id) {
        Instant now = gate.clock().instant();
        Map<String, Integer> counts = new TreeMap<>();
        for (Verdict v : gate.store().verdicts(id)) {
            counts.merge(gate.decide(v, now).state().id(), 1, Integer::sum);
        }
        if (counts.isEmpty()) {
            return "no known versions";
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append(':').append(v));
        return b.toString();
    }
}
