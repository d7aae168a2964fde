package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.queue.PostgresAnalysisQueue;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.config.StoreConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sql.Database;
import dev.airlock.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared queue on a real PostgreSQL, with several nodes' queues in one JVM (each its own
 * pool and node id): one analysis per job whoever submits it, a dead node's lease taken over,
 * and a result that commits only with what its listener wrote.
 */
@Timeout(120)
class PostgresAnalysisQueueTest {
    private static final AnalysisConfig STATIC_IS_ENOUGH = new AnalysisConfig(2, Duration.ofSeconds(30), null, false);
    private static PostgresServer pg;
    @TempDir
    Path dir;
    private String url;
    private final List<AutoCloseable> open = new ArrayList<>();

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

    private Database db(String node) {
        Database db = Database.open(new StoreConfig(url, null, null, 4, Duration.ofSeconds(3), null, node));
        open.add(db);
        return db;
    }

    private PostgresAnalysisQueue queue(Database db, ArtifactSource source) throws Exception {
        PostgresAnalysisQueue q = new PostgresAnalysisQueue(db, dir.resolve(db.nodeId()), STATIC_IS_ENOUGH,
                Analyzer.staticOnly(), source, "worker", Duration.ofMillis(50));
        open.add(q);
        return q;
    }

    private ArtifactSource oneFile(ArtifactFile file, AtomicInteger fetches) throws Exception {
        Path bytes = Fixtures.sdist(dir, "demo-1.0", Fixtures.files("PKG-INFO", "Metadata-Version: 2.1\nName: demo\n"
                + "Version: 1.0\n", "demo/__init__.py", "VALUE = 1\n"));
        return new ArtifactSource() {
            @Override
            public Path fetch(PackageCoordinate coordinate) {
                throw new AssertionError("analysed file by file");
            }

            @Override
            public List<ArtifactFile> files(PackageCoordinate coordinate) {
                return List.of(file);
            }

            @Override
            public Path fetch(PackageCoordinate coordinate, ArtifactFile f) {
                fetches.incrementAndGet();
                return bytes;
            }
        };
    }

    private static long count(Database db, String sql, String arg) {
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Test
    void threeNodesSightingTheSameNewVersionAtOnceAnalyseItOnce() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "demo", "1.0");
        ArtifactFile file = ArtifactFile.of("demo-1.0.tar.gz", "a".repeat(64), null);
        AtomicInteger fetches = new AtomicInteger();
        ArtifactSource source = oneFile(file, fetches);
        List<String> delivered = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        List<PostgresAnalysisQueue> nodes = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            PostgresAnalysisQueue q = queue(db(n), source);
            q.onFileResult((coord, f, r) -> {
                delivered.add(n + ":" + f.name());
                done.countDown();
            });
            nodes.add(q);
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (PostgresAnalysisQueue q : nodes) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                q.submit(c, AnalysisPriority.NEW_VERSION);
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "no node analysed it");
        Thread.sleep(1_500); // time for a second analysis, if the queue allowed one
        assertEquals(1, delivered.size(), "one result, on one node: " + delivered);
        assertEquals(1, fetches.get(), "one analysis fetched the file");
        assertEquals(Map.of(file.name(), nodes.get(1).results(c).get(file.name())), nodes.get(1).results(c),
                "every node reads the result");
        assertEquals(0, nodes.get(2).depth());
    }

    @Test
    void aJobWhoseNodeStoppedRenewingIsTakenOverOnceAndHeldAsCrashedAfterASecondDeath() throws Exception {
        Database db = db("survivor");
        ArtifactFile file = ArtifactFile.of("demo-1.0.tar.gz", "a".repeat(64), null);
        // Two jobs a dead node held: one it died under once before, one for the first time.
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_jobs (key, coordinate, file_name, file_sha256, "
                    + "priority, deaths, leased_by, lease_until) VALUES (?, ?, ?, ?, 1, ?, 'dead-node', now() - interval '1 s')")) {
                for (String[] row : List.of(new String[] {"pypi:once@1.0", "0"}, new String[] {"pypi:twice@1.0", "1"})) {
                    ps.setString(1, row[0] + "|" + file.name());
                    ps.setString(2, row[0]);
                    ps.setString(3, file.name());
                    ps.setString(4, file.sha256());
                    ps.setInt(5, Integer.parseInt(row[1]));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        AtomicInteger fetches = new AtomicInteger();
        Map<String, AnalysisResult> results = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        PostgresAnalysisQueue q = queue(db, oneFile(file, fetches));
        q.onFileResult((c, f, r) -> {
            results.put(c.name(), r);
            done.countDown();
        });
        assertTrue(done.await(30, TimeUnit.SECONDS), "not taken over: " + results.keySet());
        assertEquals(1, fetches.get(), "the job that died once is analysed again; the one that died twice is not");
        assertEquals(Recommendation.SUSPICIOUS, results.get("twice").recommendation());
        assertEquals("analysis_crashed", results.get("twice").findings().get(0).rule());
        assertTrue(q.recentFailures(10).stream().anyMatch(f -> f.cause().equals("analysis_crashed")));
        assertEquals(2, count(db, "SELECT count(*) FROM analysis_runs WHERE node_id = ?", "survivor"),
                "both takeovers recorded as runs of the survivor");
    }

    @Test
    void aResultIsStoredOnlyTogetherWithWhatItsListenerWrote() throws Exception {
        Database db = db("a");
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "demo", "1.0");
        ArtifactFile file = ArtifactFile.of("demo-1.0.tar.gz", "a".repeat(64), null);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        PostgresAnalysisQueue q = queue(db, oneFile(file, new AtomicInteger()));
        q.onFileResult((coord, f, r) -> {
            // The listener's own write joins the queue's transaction...
            db.transaction(conn -> {
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO history (key, json) VALUES (?, '{}')")) {
                    ps.setString(1, "listener-" + calls.get());
                    ps.executeUpdate();
                }
                return null;
            });
            // ...so when it fails the first time, neither its write nor the result stays.
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("policy could not record it");
            }
            done.countDown();
        });
        q.submit(c, AnalysisPriority.NEW_VERSION);
        assertTrue(done.await(30, TimeUnit.SECONDS), "the job never ran again after the failed recording");
        assertEquals(2, calls.get());
        assertEquals(0, count(db, "SELECT count(*) FROM history WHERE key = ?", "listener-0"), "rolled back with the result");
        assertEquals(1, count(db, "SELECT count(*) FROM history WHERE key = ?", "listener-1"));
        assertEquals(1, count(db, "SELECT count(*) FROM analysis_results WHERE coordinate = ?", c.toString()));
        assertTrue(q.recentFailures(10).stream().anyMatch(f -> f.cause().equals("store_failed")), "the failure is shown");
    }
}
