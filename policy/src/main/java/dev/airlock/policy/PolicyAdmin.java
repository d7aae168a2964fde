package dev.airlock.policy;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.feed.FeedRecord;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.review.AnalysisRecord;
import dev.airlock.policy.review.BulkAction;
import dev.airlock.policy.review.BulkResult;
import dev.airlock.policy.review.OverviewHistory;
import dev.airlock.policy.review.VersionPage;
import dev.airlock.policy.review.VersionQuery;
import dev.airlock.policy.review.VersionSort;
import dev.airlock.policy.version.VersionOrder;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the admin API does, without HTTP, in one place the handlers call: the review queue and bulk
 * actions ({@link ReviewQueue}, {@link BulkReview}), re-analysis ({@link Reanalysis}), overrides
 * ({@link OverrideChanges}), the status and overview figures ({@link StatusFigures}), single
 * versions, the audit and downloads logs, and feed imports.
 */
public final class PolicyAdmin {
    private final PolicyGate gate;
    private final ReviewQueue review;
    private final Reanalysis reanalysis;
    private final BulkReview bulk;
    private final OverviewHistory history;
    private final OverrideChanges overrides;
    private final StatusFigures figures;

    PolicyAdmin(PolicyGate gate) {
        this.gate = gate;
        VersionIndex index = VersionIndex.attach(gate.store());
        this.review = new ReviewQueue(gate, index);
        this.reanalysis = new Reanalysis(gate);
        this.overrides = new OverrideChanges(gate);
        this.figures = new StatusFigures(gate, review);
        this.bulk = new BulkReview(gate, review, reanalysis, overrides);
        this.history = new OverviewHistory(gate.store());
        index.onTransition(new HistoryTransitions(history));
    }

    // ---------------------------------------------------------------- the review queue

    /** One page of the versions a query selects, decided now and sorted. */
    public VersionPage page(VersionQuery query, VersionSort sort, int offset, int limit) {
        return review.page(query, sort, offset, limit);
    }

    /** How many versions a query selects now: what a bulk action's confirmation says. */
    public int count(VersionQuery query) {
        return review.select(query).size();
    }

    /**
     * Releases, blocks or re-analyses every version the query selects, one audit line each.
     *
     * @param expected the count the person confirmed; when the selection changed meanwhile nothing
     *                 is done ({@link dev.airlock.policy.review.SelectionChanged})
     */
    public BulkResult bulk(VersionQuery query, BulkAction action, String reason, Instant expires, String who,
                           Integer expected) {
        return bulk.apply(query, action, reason, expires, who, expected);
    }

    /** Asks for a new analysis of one version; its verdict stays until the result replaces it. */
    public AuditEntry reanalyze(PackageCoordinate c, String reason, String who) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required: {\"reason\":\"...\"}");
        }
        return reanalysis.request(List.of(gate.evaluate(c)), reason, who).get(0);
    }

    /** Every analysis the version had, oldest first. */
    public List<AnalysisRecord> analysisHistory(PackageCoordinate c) {
        return reanalysis.history(c);
    }

    /** Wired as the analysis queue's listener after the gate: the analysis log and the overview's counters. */
    void analysisRecorded(PackageCoordinate c, dev.airlock.model.ArtifactFile file, dev.airlock.analysis.AnalysisResult r) {
        reanalysis.recorded(c, file, r);
        history.count("analyses", 1);
        if (r.behavior() != null) {
            history.count("sandbox.runs", 1);
        }
    }

    /** Stops the listing's background pass (engine shutdown). */
    void close() {
        review.close();
    }

    /** The overview's history (also where the firewall counts infrastructure failures). */
    public OverviewHistory history() {
        return history;
    }

    /** The overview's gauges, sampled once a minute: versions by state now, queue depth, waiting downloads. */
    Map<String, Long> gauges() {
        return figures.gauges();
    }

    /** The held versions most downloaded through Airlock (who is waiting on what), most first. */
    public List<Map<String, Object>> mostDownloadedHeld(int limit) {
        return figures.mostDownloadedHeld(limit);
    }

    // ---------------------------------------------------------------- single versions

    /** Versions in a state (null: any) of an ecosystem (null: both), at most {@code limit}, newest decision first. */
    public List<Verdict> versions(VerdictState state, Ecosystem ecosystem, int limit) {
        List<Verdict> out = review.select(new VersionQuery(state == null ? null : Set.of(state), ecosystem, null, null,
                null, null, null));
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
        return overrides.set(c.toString(), c.packageId(), c, action, reason, expires, who);
    }

    /** Sets an override on every version of a package. */
    public OverrideChange override(PackageId id, OverrideAction action, String reason, Instant expires, String who) {
        return overrides.set(id.toString(), id, null, action, reason, expires, who);
    }

    /** Removes a version override; empty when there was none. */
    public Optional<OverrideChange> removeOverride(PackageCoordinate c, String reason, String who) {
        return overrides.remove(c.toString(), c.packageId(), c, reason, who);
    }

    /** Removes a package override; empty when there was none. */
    public Optional<OverrideChange> removeOverride(PackageId id, String reason, String who) {
        return overrides.remove(id.toString(), id, null, reason, who);
    }

    /** One page of the audit log, newest first, filtered on the server so old lines stay reachable. */
    public AuditPage audit(AuditQuery query) {
        return gate.store().audit(query);
    }

    /** Audit lines in order of writing, oldest first (see {@link dev.airlock.policy.store.VerdictStore#audit(Instant, int)}). */
    public List<AuditEntry> audit(Instant since, int limit) {
        return gate.store().audit(since, limit);
    }

    /** Download records (each counts one client's downloads within a second), oldest first. */
    public List<DownloadRecord> downloads(PackageCoordinate c, int limit) {
        gate.flushDownloads();
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
        return figures.status();
    }
}
