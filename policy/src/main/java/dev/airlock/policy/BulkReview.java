package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.review.BulkAction;
import dev.airlock.policy.review.BulkResult;
import dev.airlock.policy.review.SelectionChanged;
import dev.airlock.policy.review.VersionQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Release, block or re-analyse every version a query selects, with one reason: each version gets
 * its own override and its own audit line, written a chunk at a time in one transaction per
 * chunk, so a thousand versions cost a few commits rather than a thousand.
 */
final class BulkReview {
    /** Versions per transaction: bounded so that one bulk action cannot hold the store's write lock for long. */
    static final int CHUNK = 1000;
    private final PolicyGate gate;
    private final ReviewQueue queue;
    private final Reanalysis reanalysis;
    private final Object overrideLock;

    BulkReview(PolicyGate gate, ReviewQueue queue, Reanalysis reanalysis, Object overrideLock) {
        this.gate = gate;
        this.queue = queue;
        this.reanalysis = reanalysis;
        this.overrideLock = overrideLock;
    }

    /**
     * @param expected how many versions the person confirmed (null: not checked); when the
     *                 selection changed meanwhile nothing is done and {@link SelectionChanged} says so
     */
    BulkResult apply(VersionQuery q, BulkAction action, String reason, Instant expires, String who, Integer expected) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required: it is recorded in every version's audit line");
        }
        Instant now = gate.clock().instant();
        if (expires != null && !expires.isAfter(now)) {
            throw new IllegalArgumentException("expires must be in the future");
        }
        List<Verdict> selected = queue.select(q);
        selected.sort(java.util.Comparator.comparing(v -> v.coordinate().toString()));
        if (expected != null && expected != selected.size()) {
            throw new SelectionChanged("the selection (" + q.describe() + ") now holds " + selected.size()
                    + " version(s), not the " + expected + " confirmed; nothing was changed");
        }
        Long first = null;
        Long last = null;
        for (int from = 0; from < selected.size(); from += CHUNK) {
            List<Verdict> chunk = selected.subList(from, Math.min(selected.size(), from + CHUNK));
            List<AuditEntry> written = action == BulkAction.REANALYZE
                    ? reanalysis.request(chunk, reason, who)
                    : override(chunk, action == BulkAction.ALLOW ? OverrideAction.ALLOW : OverrideAction.BLOCK, reason,
                    expires, who, now);
            if (!written.isEmpty()) {
                first = first == null ? written.get(0).seq() : first;
                last = written.get(written.size() - 1).seq();
            }
        }
        List<String> shown = selected.stream().limit(100).map(v -> v.coordinate().toString()).toList();
        return new BulkResult(action.id(), q.describe(), selected.size(), shown, first, last);
    }

    private List<AuditEntry> override(List<Verdict> chunk, OverrideAction action, String reason, Instant expires,
                                      String who, Instant now) {
        Map<String, AdminOverride> changes = new LinkedHashMap<>();
        List<AuditEntry> lines = new ArrayList<>();
        String after = action == OverrideAction.ALLOW ? VerdictState.ALLOWED.id() : VerdictState.BLOCKED.id();
        for (Verdict v : chunk) {
            String target = v.coordinate().toString();
            AdminOverride o = new AdminOverride(target, action, reason, expires, who, now);
            changes.put(target, o);
            lines.add(new AuditEntry(0, now, who, "override_" + action.id(), target, v.state().id(), after,
                    o.reason() + (expires == null ? "" : " (expires " + expires + ")")));
        }
        List<AuditEntry> written;
        synchronized (overrideLock) {
            written = gate.store().changeOverrides(changes, lines);
            gate.overrides().putAll(changes);
        }
        Map<PackageId, Set<PackageCoordinate>> byPackage = new LinkedHashMap<>();
        for (Verdict v : chunk) {
            byPackage.computeIfAbsent(v.coordinate().packageId(), k -> new HashSet<>()).add(v.coordinate());
        }
        byPackage.forEach(gate::refresh);
        return written;
    }
}
