package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.store.StoreJson;
import dev.airlock.policy.store.VerdictStore;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbreak hold, "the line in the sand" during a worm outbreak ({@code policy.holdPublishedAfter}):
 * every version (and every file) published after that moment is held whatever the analysis says,
 * unless a break-glass {@link HoldExemption} that has not expired covers it. A version whose
 * publish time is unknown counts from when Airlock first saw it, so an unknown time never slips
 * past the line (fails closed).
 */
public final class OutbreakHold {
    public static final String CODE = "held_outbreak";

    private final Instant cutoff;
    private final Map<String, HoldExemption> exemptions = new ConcurrentHashMap<>();

    OutbreakHold(Instant cutoff, Iterable<String> storedExemptions) {
        this.cutoff = cutoff;
        for (String json : storedExemptions) {
            HoldExemption e = StoreJson.read(json, HoldExemption.class);
            exemptions.put(e.target(), e);
        }
    }

    static OutbreakHold open(Instant cutoff, VerdictStore store) {
        return new OutbreakHold(cutoff, store.holdExemptions());
    }

    /** The configured line; empty when the hold is off. */
    public Optional<Instant> cutoff() {
        return Optional.ofNullable(cutoff);
    }

    /** Why this version is held, or empty: the hold is off, it was published before the line, or it is exempt. */
    Optional<Reason> reason(Verdict f, Instant now) {
        if (cutoff == null) {
            return Optional.empty();
        }
        Instant since = f.publishedAt() != null ? f.publishedAt() : f.firstSeen() != null ? f.firstSeen() : now;
        if (!since.isAfter(cutoff) || exemption(f.coordinate(), now).isPresent()) {
            return Optional.empty();
        }
        String when = f.publishedAt() != null ? "published " + f.publishedAt() : "publish time unknown, first seen " + since;
        return Optional.of(Reason.of(CODE, ReasonSource.RULE, when + ", after the outbreak hold line " + cutoff
                + " (policy.holdPublishedAfter): held whatever the analysis says until an admin lets it through"));
    }

    /** The exemption that applies now: the version's own, else the package's. */
    public Optional<HoldExemption> exemption(PackageCoordinate c, Instant now) {
        HoldExemption v = exemptions.get(c.toString());
        if (v != null && v.activeAt(now)) {
            return Optional.of(v);
        }
        HoldExemption p = exemptions.get(c.packageId().toString());
        return p != null && p.activeAt(now) ? Optional.of(p) : Optional.empty();
    }

    Map<String, HoldExemption> exemptions() {
        return exemptions;
    }
}
