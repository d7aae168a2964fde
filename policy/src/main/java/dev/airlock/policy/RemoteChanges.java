package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.store.StoreChanges;
import dev.airlock.policy.store.StoreJson;

/**
 * What another node of a shared store changed, applied to this node's own copies: the gate's
 * overrides and outbreak-hold exemptions, the feed index; and downloads of the package that wait
 * for a verdict look again. The store calls this before its change count moves, so cached
 * decisions are worked out again with the change in place.
 */
final class RemoteChanges implements StoreChanges {
    private final PolicyGate gate;

    RemoteChanges(PolicyGate gate) {
        this.gate = gate;
    }

    @Override
    public void verdict(Verdict v) {
        gate.signalChanged(v.coordinate().packageId());
    }

    @Override
    public void override(String target, AdminOverride o) {
        if (o == null) {
            gate.overrides().remove(target);
        } else {
            gate.overrides().put(target, o);
        }
        signal(target);
    }

    @Override
    public void holdExemption(String target, String json) {
        if (json == null) {
            gate.outbreakHold().exemptions().remove(target);
        } else {
            gate.outbreakHold().exemptions().put(target, StoreJson.read(json, HoldExemption.class));
        }
        signal(target);
    }

    @Override
    public void feed() {
        gate.feed().reload();
    }

    /** A target is a version ({@code npm:x@1.0.0}) or a whole package ({@code npm:x}). */
    private void signal(String target) {
        PackageId id;
        try {
            id = PackageCoordinate.parse(target).packageId();
        } catch (RuntimeException notAVersion) {
            int colon = target.indexOf(':');
            try {
                id = new PackageId(dev.airlock.model.Ecosystem.parse(target.substring(0, Math.max(0, colon))),
                        target.substring(colon + 1));
            } catch (RuntimeException e) {
                return; // not a name this version reads: nothing waits on it
            }
        }
        gate.signalChanged(id);
    }
}
