package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.analysis.InfrastructureFailure;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.common.Json;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sql.Database;
import dev.airlock.sql.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final long IDLE_POLL_MS = 500;
    private static final Duration SANDBOX_RECHECK = Duration.ofSeconds(5);

    private final Database db;
    private final String node;
    private final String role;
    private final AnalysisConfig config;
    private final ArtifactSource source;
    private final AnalysisRun run;
    private final Reports reports;
    private final Duration lease;
    private final Duration firstBackoff;
    private final FailureLog failures = new FailureLog();
    private final SubmissionInbox inbox;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final ExecutorService dispatcher;
    private final ExecutorService workers;
    private final ExecutorService analysisThreads;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object wake = new Object();
    private volatile FileResultListener listener = (c, f, r) -> { };
    private volatile Consumer<InfrastructureFailure> failureListener = f -> { };
    private volatile int depth;
    private volatile boolean analysedSomewhere = true;
    private volatile boolean closed;

    /**
     * @param role         {@code serve} or {@code worker}, for the nodes table
     * @param firstBackoff the first retry delay after an infrastructure failure; it doubles up to five minutes
     */
    public PostgresAnalysisQueue(Database db, Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source,
                                 String role, Duration firstBackoff) throws IOException {
        this.db = db;
        this.node = db.nodeId();
        this.role = role;
        this.config = config;
        this.source = source;
        this.lease = db.config().leaseTimeout();
        this.firstBackoff = firstBackoff;
        this.reports = new Reports(dataDir.resolve("reports"));
        reports.prune(config.retention());
        int n = Math.max(1, config.concurrency());
        this.workers = Executors.newFixedThreadPool(n, r -> daemon(r, "analysis-worker"));
        this.analysisThreads = Executors.newCachedThreadPool(r -> daemon(r, "analysis-job"));
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "analysis-dispatch"));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "analysis-lease"));
        this.run = new AnalysisRun(config, analyzer, source, analysisThreads);
        this.inbox = new SubmissionInbox(this::storeSubmissions);
        long every = Math.max(500, lease.toMillis() / 3);
        beat();
        timers.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
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
            dispatcher.submit(this::dispatch);
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
            wake();
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
        return depth + inbox.countNotIn(Set.of());
    }

    /** Whether some node analysed lately (with a sandbox when one is required): a proxy without an engine asks this. */
    public boolean analysedSomewhere() {
        return analysedSomewhere;
    }

    // ---- leases

    private void beat() {
        try {
            db.transaction(c -> {
                if (!held.isEmpty()) {
                    int kept = JobRows.renew(c, node, List.copyOf(held), lease);
                    if (kept < held.size()) {
                        LOG.warn("{} of {} analysis lease(s) of this node were taken over (it was cut off for longer than "
                                + "store.leaseTimeout); their results will not be recorded", held.size() - kept, held.size());
                    }
                }
                boolean analysing = config.enabled() && !closed;
                NodeBeat.beat(c, node, role, analysing, analysing && !run.needsSandboxAndHasNone());
                depth = JobRows.count(c);
                analysedSomewhere = NodeBeat.anyAnalysing(c, config.requireSandbox(), lease);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("shared store: renewing this node's analysis leases failed (retried): {}", e.getMessage());
        }
    }

    private void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void idle() throws InterruptedException {
        synchronized (wake) {
            wake.wait(IDLE_POLL_MS);
        }
    }

    private void dispatch() {
        int total = Math.max(1, config.concurrency());
        Semaphore slots = new Semaphore(total);
        while (!closed) {
            try {
                slots.acquire();
                Job job = run.needsSandboxAndHasNone() ? null : claim();
                if (job == null) {
                    slots.release();
                    idle();
                    continue;
                }
                held.add(job.key());
                // A job a node died under runs alone: if it dies again, the death is its own.
                int took = job.deaths() > 0 ? total : 1;
                if (took > 1) {
                    slots.acquire(took - 1);
                }
                workers.submit(() -> {
                    try {
                        runJob(job);
                    } catch (RuntimeException | Error e) {
                        LOG.error("analysis job {} failed unexpectedly; it stays queued", job.key(), e);
                        reschedule(job, "internal_error", e.toString());
                    } finally {
                        held.remove(job.key());
                        slots.release(took);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("shared store: taking the next analysis job failed (retried): {}", e.getMessage());
                slots.release();
                try {
                    Thread.sleep(IDLE_POLL_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** The next due job, leased to this node; jobs whose result another node stored meanwhile are dropped on the way. */
    private Job claim() {
        for (int i = 0; i < 16; i++) {
            Object[] got = new Object[1];
            boolean stale = db.transaction(c -> {
                Job j = JobRows.claim(c, node, lease);
                got[0] = j;
                if (j != null && ResultRows.exists(c, j.key())) {
                    JobRows.delete(c, j.key());
                    return true;
                }
                return false;
            });
            if (!stale) {
                return (Job) got[0];
            }
        }
        return null;
    }

    // ---- running a job

    private void runJob(Job job) {
        if (job.deaths() > 0) {
            String detail = "the node running " + job.key() + " stopped renewing its lease (killed, out of memory or cut off) "
                    + "while analysing it (" + job.deaths() + (job.deaths() == 1 ? " time" : " times") + ")";
            failures.add(new InfrastructureFailure(Instant.now(), job.key(), AnalysisCrash.CODE, detail, job.deaths()));
            if (AnalysisCrash.holds(job.deaths())) {
                LOG.error("{}: not analysing it again; held for review as {}", detail, AnalysisCrash.CODE);
                finish(job, AnalysisCrash.result(job.coordinate(), job.file(), job.deaths()), false);
                return;
            }
            LOG.warn("{}: node {} takes it over and analyses it once more, alone", detail, node);
        }
        if (job.file() == null) {
            expand(job);
            return;
        }
        AnalysisRun.Outcome outcome = run.run(job, baseline(job));
        if (closed || outcome instanceof AnalysisRun.Stopped) {
            return;
        }
        if (outcome instanceof AnalysisRun.Failed f) {
            if (f.sandbox() && run.needsSandboxAndHasNone()) {
                recordFailure(job, "sandbox_unavailable", f.detail());
                release(job, SANDBOX_RECHECK, null);
            } else {
                reschedule(job, f.cause(), f.detail());
            }
            return;
        }
        finish(job, ((AnalysisRun.Done) outcome).result(), true);
    }

    /** A version job: queue each of its files, or analyse the version whole when its files cannot be listed. */
    private void expand(Job job) {
        List<ArtifactFile> files;
        try {
            files = source.files(job.coordinate());
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                reschedule(job, "fetch_failed", "could not list the files of " + job.coordinate() + ": " + e);
            }
            return;
        }
        if (files.isEmpty()) {
            AnalysisRun.Outcome outcome = run.run(job, baseline(job));
            if (outcome instanceof AnalysisRun.Done d) {
                finish(job, d.result(), true);
            } else if (outcome instanceof AnalysisRun.Failed f) {
                reschedule(job, f.cause(), f.detail());
            }
            return;
        }
        List<Job> fileJobs = new ArrayList<>();
        for (ArtifactFile f : files) {
            fileJobs.add(new Job(job.coordinate(), f, job.priority(), 0));
        }
        try {
            db.transaction(c -> {
                JobRows.insert(c, fileJobs);
                JobRows.deleteHeld(c, job.key(), node);
                return null;
            });
        } catch (StoreUnavailableException e) {
            reschedule(job, "store_failed", e.getMessage());
            return;
        }
        failures.cleared(job.key());
        wake();
    }

    /**
     * Stores the result and hands it to policy in one transaction; nothing is recorded when this
     * node no longer holds the job (another took it over after this one was cut off).
     */
    private void finish(Job job, AnalysisResult analysed, boolean compare) {
        PackageCoordinate c = job.coordinate();
        String json;
        try {
            json = db.transaction(conn -> {
                if (!JobRows.deleteHeld(conn, job.key(), node)) {
                    return null;
                }
                AnalysisResult result = analysed;
                String kindKey = Baselines.kindKey(job);
                String[] baseline = ResultRows.baseline(conn, kindKey);
                if (compare && baseline[0] != null && !Job.coordinateOf(baseline[0]).equals(c)) {
                    AnalysisResult previous = read(ResultRows.read(conn, baseline[0]), baseline[0]);
                    result = Baselines.withChanges(previous, Job.coordinateOf(baseline[0]).version(), result);
                }
                String text = write(result);
                ResultRows.insert(conn, job.key(), c, text, node);
                ResultRows.recordBaseline(conn, kindKey, job.key(), result.recommendation() == Recommendation.CLEAN);
                listener.accept(c, job.file(), result);
                return text;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not record the analysis of {} (retried): {}", job.key(), e.toString());
            reschedule(job, "store_failed", e.toString());
            return;
        }
        if (json == null) {
            LOG.warn("analysis of {} finished on {} after another node took it over; this result is not recorded", job.key(), node);
            return;
        }
        failures.cleared(job.key());
        try {
            reports.write(c, job.file(), json);
        } catch (IOException e) {
            LOG.warn("could not write the report of {}: {}", job.key(), e.toString());
        }
    }

    private PreviousVersion baseline(Job job) {
        try {
            return db.transaction(c -> {
                String key = ResultRows.baseline(c, Baselines.kindKey(job))[1];
                if (key == null || Job.coordinateOf(key).equals(job.coordinate())) {
                    return null;
                }
                AnalysisResult previous = read(ResultRows.read(c, key), key);
                return previous == null ? null : new PreviousVersion(Job.coordinateOf(key).version(), previous.behavior());
            });
        } catch (StoreUnavailableException e) {
            LOG.warn("no behaviour baseline for {} (the store failed): {}", job.key(), e.getMessage());
            return null;
        }
    }

    private void recordFailure(Job job, String cause, String detail) {
        InfrastructureFailure f = new InfrastructureFailure(Instant.now(), job.key(), cause, detail,
                failures.attempts(job.key()) + 1);
        failures.add(f);
        try {
            failureListener.accept(f);
        } catch (RuntimeException e) {
            LOG.warn("infrastructure failure listener failed (ignored): {}", e.toString());
        }
    }

    /** Lets go of the job until a backoff that doubles per failure has passed; any node may run it then. */
    private void reschedule(Job job, String cause, String detail) {
        recordFailure(job, cause, detail);
        int attempt = failures.attempts(job.key());
        long delay = Math.min(PersistentAnalysisQueue.MAX_BACKOFF.toMillis(),
                firstBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 1)));
        LOG.warn("analysis of {} could not run ({}: {}); due again in {} ms (attempt {})", job.key(), cause,
                detail == null ? "" : detail.lines().findFirst().orElse(""), delay, attempt);
        release(job, Duration.ofMillis(delay), cause + "\t" + detail);
    }

    private void release(Job job, Duration delay, String failure) {
        try {
            db.transaction(c -> {
                JobRows.release(c, job.key(), node, delay, failure);
                return null;
            });
        } catch (StoreUnavailableException e) {
            LOG.warn("could not let go of {} (its lease runs out instead): {}", job.key(), e.getMessage());
        }
    }

    // ---- reading results and failures

    @Override
    public AnalysisResult result(PackageCoordinate c) {
        Map<String, AnalysisResult> all = results(c);
        return all.isEmpty() ? null : all.values().iterator().next();
    }

    @Override
    public Map<String, AnalysisResult> results(PackageCoordinate c) {
        Map<String, String> rows = db.transaction(conn -> ResultRows.ofVersion(conn, c));
        Map<String, AnalysisResult> out = new LinkedHashMap<>();
        String whole = c.toString();
        String prefix = whole + Job.SEPARATOR;
        if (rows.containsKey(whole)) {
            AnalysisResult r = read(rows.get(whole), whole);
            if (r != null) {
                out.put("", r);
            }
        }
        rows.forEach((key, json) -> {
            if (key.startsWith(prefix)) {
                AnalysisResult r = read(json, key);
                if (r != null) {
                    out.put(key.substring(prefix.length()), r);
                }
            }
        });
        return out;
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
        if (local.isPresent()) {
            return local;
        }
        String[] row = db.transaction(conn -> JobRows.lastFailure(conn, c));
        if (row == null) {
            return Optional.empty();
        }
        int tab = row[1].indexOf('\t');
        return Optional.of(new InfrastructureFailure(Instant.now(), row[0], tab < 0 ? row[1] : row[1].substring(0, tab),
                tab < 0 ? "" : row[1].substring(tab + 1), Integer.parseInt(row[2])));
    }

    @Override
    public int waitingForSandbox() {
        return config.enabled() && run.needsSandboxAndHasNone() ? depth : 0;
    }

    private static AnalysisResult read(String json, String key) {
        try {
            return json == null ? null : JSON.readValue(json, AnalysisResult.class);
        } catch (IOException e) {
            LOG.warn("unreadable stored result for {}: {}", key, e.toString());
            return null;
        }
    }

    private static String write(AnalysisResult r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
