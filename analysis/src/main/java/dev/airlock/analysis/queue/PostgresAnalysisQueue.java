package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.analysis.InfrastructureFailure;
import dev.airlock.common.Json;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sql.Database;
import dev.airlock.sql.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis queue in the shared PostgreSQL database: every node queues there, and every node
 * that analyses (a {@code worker}, or a proxy with {@code analysis.enabled}) leases the next due job
 * with {@code FOR UPDATE SKIP LOCKED}, renews its lease every third of {@code store.leaseTimeout}
 * while the analysis runs, and lets go of it when it ends. One row per job key, and no job for a
 * key that has a result, so concurrent first sightings on several nodes make one analysis.
 *
 * <p>A node killed during an analysis stops renewing; once the lease runs out another node takes
 * the job over and counts a death. As on one node, a job with a death runs alone, and after a
 * second death it is recorded as {@code analysis_crashed} rather than run again.
 *
 * <p>A result, its baseline and policy's verdict made of it (the result listener writes into the
 * same {@link Database} transaction) commit together or not at all: there is nothing to replay at
 * start, unlike the embedded queue.
 */
public final class PostgresAnalysisQueue implements StoredAnalysisQueue {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAnalysisQueue.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Database db;
    private final String node;
    private final AnalysisConfig config;
    private final AnalysisRun run;
    private final Duration lease;
    private final FailureLog failures = new FailureLog();
    private final SharedJobRunner runner;
    private final SubmissionInbox inbox;
    private final ExecutorService dispatcher;
    private final ExecutorService workers;
    private final ExecutorService analysisThreads;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile FileResultListener listener = (c, f, r) -> { };
    private volatile Consumer<InfrastructureFailure> failureListener = f -> { };
    private final LeaseHeartbeat heartbeat;
    private final SharedDispatch dispatch;
    private volatile boolean closed;

    /**
     * @param role         {@code serve} or {@code worker}, for the nodes table
     * @param firstBackoff the first retry delay after an infrastructure failure; it doubles up to five minutes
     */
    public PostgresAnalysisQueue(Database db, Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source,
                                 String role, Duration firstBackoff) throws IOException {
        this.db = db;
        this.node = db.nodeId();
        this.config = config;
        this.lease = db.config().leaseTimeout();
        Reports reports = new Reports(dataDir.resolve("reports"));
        reports.prune(config.retention());
        int n = Math.max(1, config.concurrency());
        this.workers = Executors.newFixedThreadPool(n, r -> daemon(r, "analysis-worker"));
        this.analysisThreads = Executors.newCachedThreadPool(r -> daemon(r, "analysis-job"));
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "analysis-dispatch"));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "analysis-lease"));
        this.run = new AnalysisRun(config, analyzer, source, analysisThreads);
        this.runner = new SharedJobRunner(db, run, source, reports, failures, firstBackoff, new SharedJobRunner.Hooks() {
            @Override
            public FileResultListener listener() {
                return listener;
            }

            @Override
            public Consumer<InfrastructureFailure> failureListener() {
                return failureListener;
            }

            @Override
            public boolean closed() {
                return closed;
            }

            @Override
            public void wake() {
                dispatch.wake();
            }
        });
        this.heartbeat = new LeaseHeartbeat(db, role, config, run);
        this.dispatch = new SharedDispatch(db, config, run, runner, heartbeat, workers, () -> closed);
        this.inbox = new SubmissionInbox(this::storeSubmissions);
        long every = Math.max(500, lease.toMillis() / 3);
        heartbeat.beat(closed);
        timers.scheduleWithFixedDelay(() -> heartbeat.beat(closed), every, every, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ---- the queue's side facing policy

    @Override
    public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
        onFileResult((c, f, r) -> l.accept(c, r));
    }

    /** Analysis starts here once someone listens: a result delivered to nobody would leave its version pending. */
    @Override
    public void onFileResult(FileResultListener l) {
        this.listener = l;
        if (config.enabled() && started.compareAndSet(false, true)) {
            dispatcher.submit(dispatch::loop);
        }
    }

    @Override
    public void onInfrastructureFailure(Consumer<InfrastructureFailure> l) {
        this.failureListener = l;
    }

    @Override
    public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
        submit(coordinate, null, priority);
    }

    /** Runs on the caller's thread (often an event loop): memory only, the database is the inbox writer's job. */
    @Override
    public void submit(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority) {
        if (!closed) {
            inbox.offer(new Job(coordinate, file, priority, 0));
        }
    }

    private void storeSubmissions(List<Job> batch) {
        try {
            db.transaction(c -> {
                JobRows.insert(c, batch);
                return null;
            });
            dispatch.wake();
        } catch (StoreUnavailableException e) {
            // Never dropped: a version whose job is lost would stay pending. Offered again shortly.
            LOG.warn("shared store: {} analysis submission(s) wait for the database: {}", batch.size(), e.getMessage());
            if (!closed) {
                timers.schedule(() -> batch.forEach(inbox::offer), 2, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void reanalyze(PackageCoordinate c) {
        db.transaction(conn -> {
            ResultRows.deleteVersion(conn, c);
            return null;
        });
        submit(c, null, AnalysisPriority.DOWNLOAD_WAITING);
    }

    @Override
    public int depth() {
        return heartbeat.depth() + inbox.countNotIn(Set.of());
    }

    /** Whether some node analysed lately (with a sandbox when one is required): a proxy without an engine asks this. */
    public boolean analysedSomewhere() {
        return heartbeat.analysedSomewhere();
    }

    // ---- reading results and failures

    @Override
    public AnalysisResult result(PackageCoordinate c) {
        Map<String, AnalysisResult> all = results(c);
        return all.isEmpty() ? null : all.values().iterator().next();
    }

    @Override
    public Map<String, AnalysisResult> results(PackageCoordinate c) {
        return SharedResults.of(db, c);
    }

    /** Nothing to replay: a result and its verdict commit in one transaction. */
    @Override
    public int replay(BiPredicate<PackageCoordinate, ArtifactFile> needed, FileResultListener target) {
        return 0;
    }

    @Override
    public List<InfrastructureFailure> recentFailures(int limit) {
        return failures.recent(limit);
    }

    @Override
    public Map<String, Long> failureCounts() {
        return failures.countsByCause();
    }

    /** This node's own record first, else the failure another node kept on the job's row. */
    @Override
    public Optional<InfrastructureFailure> lastFailure(PackageCoordinate c) {
        Optional<InfrastructureFailure> local = failures.lastFor(c.toString());
        return local.isPresent() ? local : SharedResults.lastFailure(db, c);
    }

    @Override
    public int waitingForSandbox() {
        return config.enabled() && run.needsSandboxAndHasNone() ? heartbeat.depth() : 0;
    }

    static AnalysisResult read(String json, String key) {
        try {
            return json == null ? null : JSON.readValue(json, AnalysisResult.class);
        } catch (IOException e) {
            LOG.warn("unreadable stored result for {}: {}", key, e.toString());
            return null;
        }
    }

    /** A clean stop: this node's leases are let go at once (no death counted) and it leaves the nodes table. */
    @Override
    public void close() {
        closed = true;
        inbox.close();
        timers.shutdownNow();
        dispatcher.shutdownNow();
        workers.shutdownNow();
        analysisThreads.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            db.transaction(c -> {
                JobRows.releaseAll(c, node);
                NodeBeat.leave(c, node);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not let go of this node's analysis leases (they run out instead): {}", e.getMessage());
        }
    }
}
