package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.review.BulkAction;
import dev.airlock.policy.review.BulkResult;
import dev.airlock.policy.review.HistoryBucket;
import dev.airlock.policy.review.Overview;
import dev.airlock.policy.review.SelectionChanged;
import dev.airlock.policy.review.VersionPage;
import dev.airlock.policy.review.VersionQuery;
import dev.airlock.policy.review.VersionSort;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The review queue on a real policy store: selections, pages, bulk actions, re-analysis and the overview history. */
class ReviewQueueTest {
    static final Instant NOW = Instant.now();

    @RegisterExtension
    final PolicyFixture fixture = new PolicyFixture(NOW);
    final MutableClock clock = fixture.clock;
    final TestQueue queue = fixture.queue;
    PolicyEngine engine;

    PolicyAdmin open() {
        PolicyConfig policy = new PolicyConfig(null, null, Duration.ofMillis(100), null, null, null, null, null, null);
        engine = fixture.open(policy, null);
        return engine.admin();
    }

    PackageCoordinate quarantined(String name, String rule) {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0");
        engine.gate().listed(c, NOW.minusSeconds(300));
        queue.deliver(c, Recommendation.SUSPICIOUS, new Finding(rule, "high", "dynamic", rule, "", null));
        return c;
    }

    @Test
    void whereTextSelectsByStateReasonRuleNameAndAge() {
        PolicyAdmin admin = open();
        quarantined("left-pad-x", "sandbox_error");
        quarantined("right-pad", "sandbox_error");
        quarantined("left-pad-y", "install_script_network");
        engine.gate().listed(PackageCoordinate.of(Ecosystem.PYPI, "pending-one", "0.1"), NOW.minusSeconds(60));
        assertEquals(2, admin.count(VersionQuery.parse("state=quarantined,reason=sandbox_error")));
        assertEquals(1, admin.count(VersionQuery.parse("reason=sandbox_error,name=left-*")));
        assertEquals(1, admin.count(VersionQuery.parse("rule=install_script_network")));
        assertEquals(4, admin.count(VersionQuery.parse("state=held")));
        assertEquals(1, admin.count(VersionQuery.parse("state=pending,ecosystem=pypi")));
        assertEquals(0, admin.count(VersionQuery.parse("olderThan=1h")));
        clock.advance(Duration.ofHours(2));
        assertEquals(4, admin.count(VersionQuery.parse("olderThan=1h")));
        assertThrows(IllegalArgumentException.class, () -> VersionQuery.parse("colour=red"));
        assertThrows(IllegalArgumentException.class, () -> VersionQuery.parse("olderThan=soon"));
        assertThrows(IllegalArgumentException.class, () -> VersionQuery.parse("state=sleepy"));
    }

    @Test
    void aPageIsSortedStablyAndCountsTheWholeSelection() {
        PolicyAdmin admin = open();
        for (int i = 0; i < 25; i++) {
            quarantined("pkg-" + (char) ('a' + i), "sandbox_error");
        }
        VersionPage first = admin.page(VersionQuery.parse("state=quarantined"), VersionSort.parse("name"), 0, 10);
        VersionPage last = admin.page(VersionQuery.parse("state=quarantined"), VersionSort.parse("name"), 20, 10);
        assertEquals(25, first.total());
        assertEquals("pkg-a", first.versions().get(0).coordinate().name());
        assertEquals(10, first.next());
        assertEquals(5, last.versions().size());
        assertEquals("pkg-y", last.versions().get(4).coordinate().name());
        assertNull(last.next());
    }

    @Test
    void aBulkReleaseWritesOneOverrideAndOneAuditLinePerVersionAndRefusesAChangedSelection() {
        PolicyAdmin admin = open();
        for (int i = 0; i < 30; i++) {
            quarantined("dep-" + i, "sandbox_error");
        }
        PackageCoordinate other = quarantined("keep-me", "typosquat_like");
        VersionQuery q = VersionQuery.parse("state=quarantined,reason=sandbox_error");
        assertThrows(SelectionChanged.class, () -> admin.bulk(q, BulkAction.ALLOW, "fixed", null, "alice", 29));
        assertEquals(30, admin.count(q), "a refused bulk action changes nothing");
        BulkResult r = admin.bulk(q, BulkAction.ALLOW, "sandbox fixed", null, "alice", 30);
        assertEquals(30, r.count());
        assertEquals(0, admin.count(q));
        assertEquals(VerdictState.QUARANTINED, admin.version(other).state());
        var lines = admin.audit(new AuditQuery(null, "alice", "override_allow", null, null, null, 100)).entries();
        assertEquals(30, lines.size());
        assertEquals(r.lastAudit() - r.firstAudit() + 1, 30);
        assertTrue(lines.stream().allMatch(e -> e.previousState().equals("quarantined") && e.newState().equals("allowed")));
        assertThrows(IllegalArgumentException.class, () -> admin.bulk(q, BulkAction.BLOCK, " ", null, "alice", null));
    }

    @Test
    void aReanalysisKeepsTheVerdictUntilTheResultThenReplacesItAndKeepsBothAnalyses() {
        PolicyAdmin admin = open();
        PackageCoordinate c = quarantined("flaky", "sandbox_error");
        BulkResult r = admin.bulk(VersionQuery.parse("name=flaky"), BulkAction.REANALYZE, "sandbox fixed", null, "bob", 1);
        assertEquals(1, r.count());
        assertEquals(VerdictState.QUARANTINED, admin.version(c).state(), "the verdict stays until the new result");
        assertEquals(2, queue.submissions.stream().filter(s -> s.coordinate().equals(c)).count());
        queue.deliver(c, Recommendation.CLEAN);
        assertEquals(VerdictState.ALLOWED, admin.version(c).state());
        var history = admin.analysisHistory(c);
        assertEquals(List.of("suspicious", "clean"), history.stream().map(h -> h.recommendation()).toList());
        assertEquals(List.of(false, true), history.stream().map(h -> h.reanalysis()).toList());
        var replaced = admin.audit(new AuditQuery(c.toString(), null, "analysis_replaced", null, null, null, 10)).entries();
        assertEquals(1, replaced.size());
        assertEquals("quarantined", replaced.get(0).previousState());
    }

    @Test
    void theHistoryCountsVerdictsAndMergesOldMinutesIntoHours() {
        PolicyAdmin admin = open();
        quarantined("counted", "sandbox_error");
        admin.history().flush(Instant.now(), admin.gauges());
        Overview now = admin.history().overview(Instant.now(), Duration.ofHours(6), 24);
        assertEquals(1L, now.totals().get("decided.quarantined"));
        assertEquals(1L, now.totals().get("refused.sandbox_error"));
        assertEquals(1L, now.timeToVerdict().samples());

        Instant old = Instant.now().minus(Duration.ofDays(3));
        admin.history().record(old, new HistoryBucket(Map.of("sandbox.runs", 4L), Map.of("queue.depth", 9L), null));
        admin.history().record(old.plusSeconds(120), new HistoryBucket(Map.of("sandbox.runs", 6L), Map.of("queue.depth", 2L), null));
        Overview week = admin.history().overview(Instant.now(), Duration.ofDays(7), 84);
        assertEquals(10L, week.totals().get("sandbox.runs"), "two buckets of the same hour add up");
        assertEquals(7200, week.stepSeconds());
    }
}
