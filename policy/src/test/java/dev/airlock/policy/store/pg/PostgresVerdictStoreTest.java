package dev.airlock.policy.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.StoreConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.OverrideAction;
import dev.airlock.policy.Reason;
import dev.airlock.policy.ReasonSource;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import dev.airlock.policy.store.StoreChanges;
import dev.airlock.policy.store.StoreUnavailableException;
import dev.airlock.sql.Database;
import dev.airlock.testing.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes' stores on one real PostgreSQL: what one writes the other serves from memory within
 * a second, a stale sighting never overwrites a newer verdict, and concurrent read-modify-writes
 * of one version on both nodes lose nothing.
 */
@Timeout(120)
class PostgresVerdictStoreTest {
    private static PostgresServer pg;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String url;

    @BeforeAll
    static void server() throws Exception {
        PostgresServer.require();
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void database() throws Exception {
        url = pg.newDatabase();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private PostgresVerdictStore node(String id) {
        Database db = Database.open(new StoreConfig(url, null, null, 4, null, Duration.ofMillis(500), id));
        open.add(db);
        PostgresVerdictStore s = PostgresVerdictStore.open(db);
        open.add(s);
        return s;
    }

    private static Verdict verdict(String name, String version, VerdictState state) {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, name, version);
        return Verdict.firstSighting(c, Instant.parse("2025-01-01T00:00:00Z"), null, true)
                .withDecision(state, List.of(Reason.of("known_malware", ReasonSource.FEED, "known malware MAL-1")),
                        Instant.parse("2025-01-02T00:00:00Z"), "feed:MAL-1");
    }

    private static long within(long millis, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > millis * 1_000_000) {
                throw new AssertionError("not within " + millis + " ms");
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aVerdictAndAnOverrideWrittenOnOneNodeAreServedFromMemoryOnTheOtherWithinASecond() throws Exception {
        PostgresVerdictStore a = node("a");
        PostgresVerdictStore b = node("b");
        List<String> toldOverrides = new CopyOnWriteArrayList<>();
        b.onChangedElsewhere(new StoreChanges() {
            @Override
            public void override(String target, AdminOverride o) {
                toldOverrides.add(target + "=" + (o == null ? "gone" : o.action().name()));
            }
        });
        long before = b.generation();
        a.putVerdict(verdict("left-pad", "1.0.0", VerdictState.BLOCKED));
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "left-pad", "1.0.0");
        within(1_000, () -> b.verdict(c).isPresent());
        assertEquals(VerdictState.BLOCKED, b.verdict(c).orElseThrow().state());
        assertTrue(b.generation() > before, "a change elsewhere moves the change count");

        a.changeOverride("npm:left-pad", new AdminOverride("npm:left-pad", OverrideAction.BLOCK, "incident 7", null, "t",
                Instant.now()), new AuditEntry(0, Instant.now(), "t", "override_block", "npm:left-pad", null, "blocked", "incident 7"));
        within(1_000, () -> b.override("npm:left-pad").isPresent());
        within(1_000, () -> toldOverrides.contains("npm:left-pad=BLOCK"));
        a.changeOverride("npm:left-pad", null, new AuditEntry(0, Instant.now(), "t", "override_removed", "npm:left-pad", "blocked",
                null, "done"));
        within(1_000, () -> b.override("npm:left-pad").isEmpty());
        within(1_000, () -> toldOverrides.contains("npm:left-pad=gone"));
        assertEquals(List.of(2L, 1L), b.audit(AuditQuery.newest(10)).entries().stream().map(AuditEntry::seq).toList());
    }

    @Test
    void aSightingWorkedOutOnAnOlderVerdictNeverOverwritesANewerOneFromAnotherNode() throws Exception {
        PostgresVerdictStore a = node("a");
        PostgresVerdictStore b = node("b");
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "fresh", "2.0.0");
        a.putVerdictSoon(verdict("fresh", "2.0.0", VerdictState.PENDING));
        // b's analysis result lands while a's sighting still waits for its batch.
        b.putVerdict(verdict("fresh", "2.0.0", VerdictState.ALLOWED));
        a.flush();
        within(1_000, () -> a.verdict(c).map(v -> v.state() == VerdictState.ALLOWED).orElse(false));
        b.flush();
        Thread.sleep(600); // one reconcile round
        assertEquals(VerdictState.ALLOWED, b.verdict(c).orElseThrow().state());
        assertEquals(VerdictState.ALLOWED, a.verdict(c).orElseThrow().state());
    }

    @Test
    void concurrentUpdatesOfOneVersionOnTwoNodesKeepEveryChange() throws Exception {
        PostgresVerdictStore a = node("a");
        PostgresVerdictStore b = node("b");
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "many-files", "1.0.0");
        a.putVerdict(verdict("many-files", "1.0.0", VerdictState.PENDING));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            PostgresVerdictStore s = i % 2 == 0 ? a : b;
            String reason = "r" + i;
            done.add(pool.submit(() -> s.updateVerdict(c, old -> {
                Verdict v = old.orElseThrow();
                List<Reason> rs = new ArrayList<>(v.reasons());
                rs.add(Reason.of(reason, ReasonSource.ANALYSIS, reason));
                return v.withDecision(v.state(), rs, Instant.now(), null);
            })));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Set<String> codes = new HashSet<>();
        within(2_000, () -> a.verdict(c).orElseThrow().reasons().size() == 41);
        a.verdict(c).orElseThrow().reasons().forEach(r -> codes.add(r.code()));
        assertEquals(41, codes.size(), "every one of the 40 updates kept: " + codes);
    }

    @Test
    void aReopenedNodeHasEveryVerdictFeedRecordAndDownloadInMemory() throws Exception {
        PostgresVerdictStore a = node("a");
        a.putVerdictSoon(verdict("@acme/a", "1.1.0", VerdictState.PENDING));
        a.putVerdict(verdict("@acme/a", "1.0.0", VerdictState.BLOCKED));
        a.changeFeedRecords(Map.of("MAL-1", "{\"id\":\"MAL-1\"}"), List.of(), null);
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "@acme/a", "1.0.0");
        a.recordDownload(c, new DownloadRecord(Instant.now(), "127.0.0.1", "npm/11", "a-1.0.0.tgz"));
        a.appendAnalysisRecord(c, "{\"n\":1}");
        a.close();
        PostgresVerdictStore again = node("a2");
        assertEquals(List.of("1.0.0", "1.1.0"), again.verdicts(new PackageId(Ecosystem.NPM, "@acme/a")).stream()
                .map(v -> v.coordinate().version()).toList());
        assertNotNull(again.feedRecords().get("MAL-1"));
        assertEquals("npm/11", again.downloads(c, 10).get(0).userAgent());
        assertEquals(List.of("{\"n\":1}"), again.analysisRecords(c));
        assertEquals(null, again.file());
    }

    @Test
    void aDatabaseThatIsGoneRefusesWritesAsTheStoreBeingUnavailableWhileReadsAnswerFromMemory() throws Exception {
        PostgresServer own = PostgresServer.start();
        PostgresVerdictStore s;
        try {
            Database db = Database.open(new StoreConfig(own.newDatabase(), null, null, 2, null, Duration.ofMillis(500), "alone"));
            open.add(db);
            s = PostgresVerdictStore.open(db);
            open.add(s);
            s.putVerdict(verdict("kept", "1.0.0", VerdictState.BLOCKED));
        } finally {
            own.close();
        }
        // The admin API answers 503 for this exception (AdminApiOnAFullDiskTest): an outage, never a verdict.
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> s.changeOverride("npm:kept",
                new AdminOverride("npm:kept", OverrideAction.ALLOW, "gone", null, "t", Instant.now()),
                new AuditEntry(0, Instant.now(), "t", "override_allow", "npm:kept", null, "allowed", "gone")));
        assertTrue(e.getMessage().contains("shared store"), e.getMessage());
        assertTrue(s.override("npm:kept").isEmpty(), "a refused override is not served from memory either");
        assertEquals(VerdictState.BLOCKED, s.verdict(PackageCoordinate.of(Ecosystem.NPM, "kept", "1.0.0")).orElseThrow().state());
    }
}
