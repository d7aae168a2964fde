package dev.airlock.policy;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.feed.FeedRecord;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.version.VersionOrder;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the admin API does, without HTTP: listings, overrides with their audit lines, the audit
 * and downloads logs, feed imports and a status summary.
 */
public final class PolicyAdmin {
    private final PolicyGate gate;

    PolicyAdmin(PolicyGate gate) {
        this.gate = gate;
    }

    /** Versions in a state (null: any) of an ecosystem (null: both), at most {@code limit}, newest decision first. */
    public List<Verdict> versions(VerdictState state, Ecosystem ecosystem, int limit) {
        Instant now = gate.clock().instant();
        List<Verdict> out = new ArrayList<>();
        gate.store().forEachVerdict(v -> {
            if (ecosystem != null && v.coordinate().ecosystem() != ecosystem) {
                return;
            }
            Verdict d = gate.decide(v, now);
            if (state == null || d.state() == state) {
                out.add(d);
            }
        });
        out.sort(Comparator.comparing(Verdict::decidedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** Every known version of a package (re-decided now), oldest version first. */
    public List<Verdict> versionsOf(PackageId id) {
        Instant now = gate.clock().instant();
        List<Verdict> out = new ArrayList<>();
        for (Verdict v : gate.store().verdicts(id)) {
            out.add(gate.decide(v, now));
        }
        Comparator<String> order = VersionOrder.of(id.ecosystem());
        out.sort((a, b) -> order.compare(a.coordinate().version(), b.coordinate().version()));
        return out;
    }

    /** True when Airlock knows anything about the package (a version, an override or a feed record). */
    public boolean knows(PackageId id) {
        return !gate.store().verdicts(id).isEmpty() || gate.overrides().containsKey(id.toString())
                || !gate.feed().records(id).isEmpty();
    }

    /** The version's verdict: stored and re-decided, or evaluated now when it was never seen. */
    public Verdict version(PackageCoordinate c) {
        return gate.evaluate(c);
    }

    public boolean seen(PackageCoordinate c) {
        return gate.store().verdict(c).map(v -> v.firstSeen() != null).orElse(false);
    }

    public Optional<AdminOverride> override(String target) {
        return Optional.ofNullable(gate.overrides().get(target));
    }

    public Optional<FeedRecord> feedRecord(PackageCoordinate c) {
        return gate.feed().match(c);
    }

    public List<FeedRecord> feedRecords(PackageId id) {
        return gate.feed().records(id);
    }

    /** The result of an override change: the audit line and the verdicts that changed. */
    public record OverrideChange(AuditEntry audit, List<Verdict> changed) {
    }

    /** Sets an override on one version. */
    public OverrideChange override(PackageCoordinate c, OverrideAction action, String reason, Instant expires, String who) {
        return set(c.toString(), c.packageId(), c, action, reason, expires, who);
    }

    /** Sets an override on every version of a package. */
    public OverrideChange override(PackageId id, OverrideAction action, String reason, Instant expires, String who) {
        return set(id.toString(), id, null, action, reason, expires, who);
    }

    private OverrideChange set(String target, PackageId id, PackageCoordinate version, OverrideAction action,
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
        return new OverrideChange(written, gate.refresh(id, version == null ? Set.of() : Set.of(version)));
    }

    /** Removes a version override; empty when there was none. */
    public Optional<OverrideChange> removeOverride(PackageCoordinate c, String reason, String who) {
        return remove(c.toString(), c.packageId(), c, reason, who);
    }

    /** Removes a package override; empty when there was none. */
    public Optional<OverrideChange> removeOverride(PackageId id, String reason, String who) {
        return remove(id.toString(), id, null, reason, who);
    }

    private Optional<OverrideChange> remove(String target, PackageId id, PackageCoordinate version, String reason,
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
        return Optional.of(new OverrideChange(written, gate.refresh(id, Set.of())));
    }

    /** For package-wide audit lines: how many known versions are in each state, e.g. {@code allowed:3 pending:1}. */
    private String stateSummary(PackageId id) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Verdict v : versionsOf(id)) {
            counts.merge(v.state().id(), 1, Integer::sum);
        }
        if (counts.isEmpty()) {
            return "no known versions";
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append(':').append(v));
        return b.toString();
    }

    /** One page of the audit log, newest first, filtered on the server so old lines stay reachable. */
    public AuditPage audit(AuditQuery query) {
        return gate.store().audit(query);
    }

    /** Audit lines in order of writing, oldest first (see {@link dev.airlock.policy.store.VerdictStore#audit(Instant, int)}). */
    public List<AuditEntry> audit(Instant since, int limit) {
        return gate.store().audit(since, limit);
    }

    public List<DownloadRecord> downloads(PackageCoordinate c, int limit) {
        return gate.store().downloads(c, limit);
    }

    /** Imports OSV records (one JSON, an array or a zip) and re-decides the packages they name. */
    public MalwareFeed.ImportReport importOsv(byte[] document, String source, String who) throws IOException {
        MalwareFeed.ImportReport r = gate.feed().importDocument(document, source, who);
        for (PackageId id : r.touched()) {
            gate.refresh(id, r.versions());
        }
        return r;
    }

    /** Cheap numbers for {@code GET /api/v1/status}. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", gate.config().mode());
        m.put("holdNewerThan", gate.config().holdNewerThan());
        m.put("holdWait", gate.config().holdWait().toString());
        m.put("minimumAge", gate.config().minimumAge() == null ? null : gate.config().minimumAge().toString());
        Map<VerdictState, Integer> counts = new EnumMap<>(VerdictState.class);
        for (VerdictState s : VerdictState.values()) {
            counts.put(s, 0);
        }
        gate.store().forEachVerdict(v -> counts.merge(v.state(), 1, Integer::sum));
        Map<String, Integer> byState = new LinkedHashMap<>();
        counts.forEach((k, v) -> byState.put(k.id(), v));
        m.put("versions", byState);
        int depth;
        try {
            depth = gate.queue().depth();
        } catch (RuntimeException e) {
            depth = -1;
        }
        m.put("queueDepth", depth);
        m.put("waitingDownloads", gate.waitingDownloads());
        m.put("overrides", gate.overrides().size());
        m.put("feedRecords", gate.feed().size());
        return m;
    }
}
