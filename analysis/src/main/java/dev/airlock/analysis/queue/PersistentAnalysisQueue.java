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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis queue on a MapDB file with transactions: a submitted job is written before it is
 * acknowledged, so pending jobs resume after a restart. A version job lists the version's files
 * and queues each; a file job analyses one file. One job per key; a higher priority moves a
 * waiting job up.
 *
 * <p>Infrastructure failures (the artifact cannot be fetched, the sandbox cannot run) are never a
 * verdict: the job stays queued, its failure is kept for the status view and the version page, and
 * it runs again after a backoff that doubles up to {@link #MAX_BACKOFF}. While the full analysis
 * needs a sandbox ({@code analysis.requireSandbox}) and none answers, jobs wait without running and
 * resume when one appears.
 *
 * <p>Submitting never blocks: submissions are stored and committed in batches by a writer thread
 * ({@link SubmissionInbox}). A job is marked running, durably, before its analysis starts; a job
 * found running at start is one the last process died under (killed, or out of memory with
 * {@code ExitOnOutOfMemoryError}). It is run once more, alone, so that a healthy version caught
 * in someone else's crash is not held for it; if the process dies under it a second time it is
 * not run again but held for review as {@code analysis_crashed} ({@link AnalysisCrash}).
 */
public final class PersistentAnalysisQueue implements StoredAnalysisQueue {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentAnalysisQueue.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final Duration MAX_BACKOFF = FailureLog.MAX_BACKOFF;
    private static final long SANDBOX_RECHECK_MS = 5_000;

    private final QueueFile file;
    private final Reports reports;
    private final AnalysisConfig config;
    private final ArtifactSource source;
    private final AnalysisRun run;
    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>();
    private final Map<String, Job> waiting = new ConcurrentHashMap<>();
    private final Map<String, Job> running = new ConcurrentHashMap<>();
    private final Map<String, Job> parked = new ConcurrentHashMap<>();
    /** The keys of the jobs in the store, so depth() reads no disk. */
    private final java.util.Set<String> storedKeys = ConcurrentHashMap.newKeySet();
    private final SubmissionInbox inbox;
    private final FailureLog failures = new FailureLog();
    private final ExecutorService dispatcher;
    private final ExecutorService workers;
    private final ExecutorService analysisThreads;
    private final ScheduledExecutorService timers;
    private final Duration firstBackoff;
    private final AtomicLong seq = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile FileResultListener listener = (c, f, r) -> { };
    private volatile Consumer<InfrastructureFailure> failureListener = f -> { };
    private volatile boolean closed;

    public PersistentAnalysisQueue(Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source) throws IOException {
        this(dataDir, config, analyzer, source, Duration.ofSeconds(2));
    }

    /** With the first retry backoff given (tests use a short one); it doubles per failure up to {@link #MAX_BACKOFF}. */
    public PersistentAnalysisQueue(Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source,
                                   Duration firstBackoff) throws IOException {
        Files.createDirectories(dataDir);
        this.reports = new Reports(dataDir.resolve("reports"));
        this.config = config;
        this.source = source;
        this.firstBackoff = firstBackoff;
        this.file = new QueueFile(dataDir.resolve("analysis-queue.db"));
        int n = Math.max(1, config.concurrency());
        this.workers = Executors.newFixedThreadPool(n, r -> daemon(r, "analysis-worker"));
        this.analysisThreads = Executors.newCachedThreadPool(r -> daemon(r, "analysis-job"));
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "analysis-dispatch"));
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "analysis-retry"));
        this.run = new AnalysisRun(config, analyzer, source, analysisThreads);
        reports.prune(config.retention());
        for (QueueFile.Stored stored : file.load(seq::incrementAndGet)) {
            try {
                resume(stored.job(), stored.wasRunning());
            } catch (IOException | RuntimeException ex) {
                LOG.warn("dropping queued job {} that could not be resumed: {}", stored.job().key(), ex.toString());
                file.drop(stored.job().key());
            }
        }
        file.commit();
        this.inbox = new SubmissionInbox(this::storeSubmissions);
        timers.scheduleWithFixedDelay(this::resumeParked, SANDBOX_RECHECK_MS, SANDBOX_RECHECK_MS, TimeUnit.MILLISECONDS);
        // Jobs resumed from the last run start only once a listener is set (onResult): a result
        // delivered to nobody would leave its version pending.
    }

    /** A job from the last run: queued again, run once more after a death, or held after a second one. */
    private void resume(Job stored, boolean wasRunning) throws IOException {
        Job job = stored;
        if (wasRunning) {
            job = stored.died();
            String detail = "Airlock stopped without a clean shutdown (killed, or out of memory) while analysing "
                    + job.key() + " (" + job.deaths() + (job.deaths() == 1 ? " time" : " times") + ")";
            failures.add(new InfrastructureFailure(Instant.now(), job.key(), AnalysisCrash.CODE, detail, job.deaths()));
            if (AnalysisCrash.holds(job.deaths())) {
                LOG.error("{}: not analysing it again; held for review as {}", detail, AnalysisCrash.CODE);
                String json = JSON.writeValueAsString(AnalysisCrash.result(job.coordinate(), job.file(), job.deaths()));
                file.held(job, json);
                failures.cleared(job.key());
                reports.write(job.coordinate(), job.file(), json);
                return;
            }
            LOG.warn("{}: analysing it once more, alone", detail);
            file.rewrite(job);
        }
        storedKeys.add(job.key());
        enqueue(job);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener) {
        onFileResult((c, f, r) -> listener.accept(c, r));
    }

    @Override
    public void onFileResult(FileResultListener listener) {
        this.listener = listener;
        if (started.compareAndSet(false, true)) {
            dispatcher.submit(this::dispatch);
        }
    }

    /** Told of every infrastructure failure (metrics); must not throw or block. */
    @Override
    public void onInfrastructureFailure(Consumer<InfrastructureFailure> listener) {
        this.failureListener = listener;
    }

    @Override
    public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
        submitJob(coordinate, null, priority);
    }

    @Override
    public void submit(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority) {
        submitJob(coordinate, file, priority);
    }

    /** Runs on the caller's thread (often an event loop): memory only, the store is the writer's job. */
    private void submitJob(PackageCoordinate c, ArtifactFile file, AnalysisPriority priority) {
        String key = Job.key(c, file);
        Job known = waiting.get(key);
        Job asked = inbox.get(key);
        if (closed || running.containsKey(key) || parked.containsKey(key)
                || (known != null && known.priority().compareTo(priority) <= 0)
                || (asked != null && asked.priority().compareTo(priority) <= 0)) {
            return;
        }
        inbox.offer(new Job(c, file, priority, seq.incrementAndGet()));
    }

    /** The writer thread's part of submitting: stores what is new or more urgent, one commit for the batch. */
    private void storeSubmissions(List<Job> batch) {
        synchronized (this) {
            if (file.isClosed()) {
                return;
            }
            List<Job> stored = file.submit(batch, key -> running.containsKey(key) || parked.containsKey(key));
            for (Job j : stored) {
                storedKeys.add(j.key());
                enqueue(j);
            }
        }
    }

    @Override
    public void reanalyze(PackageCoordinate c) {
        synchronized (this) {
            if (closed) {
                return;
            }
            // The old results go (policy keeps its own record of every analysis); the behaviour diff
            // then compares with the previous version again, not with this version's last run.
            file.forget(c);
        }
        submitJob(c, null, AnalysisPriority.DOWNLOAD_WAITING);
    }

    private void enqueue(Job job) {
        Job old = waiting.put(job.key(), job);
        if (old != null) {
            queue.remove(old);
        }
        queue.add(job);
    }

    @Override
    public int depth() {
        // A submission being stored may be in both for a moment: count it once.
        return storedKeys.size() + inbox.countNotIn(storedKeys);
    }

    @Override
    public AnalysisResult result(PackageCoordinate c) {
        return file.results().result(c);
    }

    @Override
    public Map<String, AnalysisResult> results(PackageCoordinate c) {
        return file.results().results(c);
    }

    /**
     * The queue commits a result before policy commits the verdict made of it, so a crash between
     * the two would otherwise leave the version pending for ever. Run once at start, off the serving path.
     */
    @Override
    public int replay(java.util.function.BiPredicate<PackageCoordinate, ArtifactFile> needed, FileResultListener target) {
        return file.results().replay(needed, target);
    }

    /** The most recent infrastructure failures, newest first. */
    @Override
    public List<InfrastructureFailure> recentFailures(int limit) {
        return failures.recent(limit);
    }

    /** Infrastructure failures since start, by cause. */
    @Override
    public Map<String, Long> failureCounts() {
        return failures.countsByCause();
    }

    /** The last infrastructure failure of a job of this version that is still waiting to run again. */
    @Override
    public Optional<InfrastructureFailure> lastFailure(PackageCoordinate c) {
        return failures.lastFor(c.toString());
    }

    /** Jobs that cannot run until a sandbox answers. */
    @Override
    public int waitingForSandbox() {
        return parked.size();
    }

    private void dispatch() {
        int total = Math.max(1, config.concurrency());
        Semaphore slots = new Semaphore(total);
        while (!closed) {
            try {
                slots.acquire();
                Job job = queue.poll(200, TimeUnit.MILLISECONDS);
                if (job == null) {
                    slots.release();
                    continue;
                }
                String key = job.key();
                if (waiting.get(key) != job) {
                    slots.release();
                    continue;
                }
                // A job the process died under runs alone: if it dies again, the death is its own.
                int held = job.deaths() > 0 ? total : 1;
                if (held > 1) {
                    slots.acquire(held - 1);
                }
                waiting.remove(key);
                running.put(key, job);
                workers.submit(() -> {
                    try {
                        runJob(job);
                    } catch (RuntimeException | Error e) {
                        LOG.error("analysis job {} failed unexpectedly; it stays queued", key, e);
                        reschedule(job, "internal_error", e.toString());
                    } finally {
                        running.remove(key);
                        slots.release(held);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void runJob(Job job) {
        if (needsSandboxAndHasNone()) {
            park(job);
            return;
        }
        if (job.file() == null) {
            expand(job);
            return;
        }
        analyse(job);
    }

    private boolean needsSandboxAndHasNone() {
        return run.needsSandboxAndHasNone();
    }

    /** A version job: queue each of its files, or analyse the version whole when its files cannot be listed. */
    private void expand(Job job) {
        List<ArtifactFile> files;
        try {
            files = source.files(job.coordinate());
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return;
            }
            reschedule(job, "fetch_failed", "could not list the files of " + job.coordinate() + ": " + e);
            return;
        }
        if (files.isEmpty()) {
            analyse(job);
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            List<Job> added;
            try {
                added = file.expand(job, files, seq::incrementAndGet);
            } catch (RuntimeException e) {
                reschedule(job, "store_failed", e.toString());
                return;
            }
            storedKeys.remove(job.key());
            for (Job fileJob : added) {
                storedKeys.add(fileJob.key());
                enqueue(fileJob);
            }
        }
        failures.cleared(job.key());
    }

    private void analyse(Job job) {
        if (!markRunning(job, true)) {
            if (!closed) {
                reschedule(job, "store_failed", "could not mark " + job.key() + " as running");
            }
            return;
        }
        AnalysisRun.Outcome outcome = run.run(job, baseline(job));
        if (closed || outcome instanceof AnalysisRun.Stopped) {
            return;
        }
        if (outcome instanceof AnalysisRun.Failed f) {
            markRunning(job, false);
            if (f.sandbox() && needsSandboxAndHasNone()) {
                recordFailure(job, "sandbox_unavailable", f.detail());
                park(job);
            } else {
                reschedule(job, f.cause(), f.detail());
            }
            return;
        }
        finish(job, ((AnalysisRun.Done) outcome).result());
    }

    /** Stores (before the analysis) or clears (after one that ended without a result) the job's running mark. */
    private boolean markRunning(Job job, boolean on) {
        synchronized (this) {
            return file.markRunning(job, on);
        }
    }

    private void recordFailure(Job job, String cause, String detail) {
        failures.record(job.key(), cause, detail, failureListener);
    }

    /** Runs the job again after a backoff; meanwhile it stays in the store, so a restart resumes it too. */
    private void reschedule(Job job, String cause, String detail) {
        recordFailure(job, cause, detail);
        long delay = failures.backoff(job.key(), firstBackoff).toMillis();
        LOG.warn("analysis of {} could not run ({}: {}); trying again in {} ms (attempt {})", job.key(), cause,
                shortDetail(detail), delay, failures.attempts(job.key()));
        if (closed) {
            return;
        }
        try {
            timers.schedule(() -> requeue(job), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("queue closing; {} resumes at the next start", job.key());
        }
    }

    private void park(Job job) {
        if (parked.putIfAbsent(job.key(), job) == null) {
            LOG.info("analysis of {} waits for a sandbox", job.key());
        }
    }

    private void resumeParked() {
        try {
            if (closed || parked.isEmpty() || needsSandboxAndHasNone()) {
                return;
            }
            LOG.info("a sandbox answers again; resuming {} waiting analyses", parked.size());
            for (Job job : List.copyOf(parked.values())) {
                parked.remove(job.key());
                requeue(job);
            }
        } catch (RuntimeException e) {
            LOG.warn("resuming waiting analyses failed (retried): {}", e.toString());
        }
    }

    private void requeue(Job job) {
        if (closed || !file.holds(job.key())) {
            return;
        }
        if (running.containsKey(job.key())) {
            // Its worker has not let go of it yet (a short backoff can beat it): look again shortly.
            try {
                timers.schedule(() -> requeue(job), 10, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("queue closing; {} resumes at the next start", job.key());
            }
            return;
        }
        enqueue(job.again(seq.incrementAndGet()));
    }

    private static String shortDetail(String detail) {
        String d = detail == null ? "" : detail.strip();
        int nl = d.indexOf('\n');
        return nl > 0 ? d.substring(0, nl) : d;
    }

    private void finish(Job job, AnalysisResult analysed) {
        PackageCoordinate c = job.coordinate();
        AnalysisResult result;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                QueueFile.Finished done = file.finish(job, analysed);
                result = done.result();
                storedKeys.remove(job.key());
                reports.write(c, job.file(), done.json());
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not store the analysis of {}: {}", job.key(), e.toString());
                markRunning(job, false);
                reschedule(job, "store_failed", e.toString());
                return;
            }
        }
        failures.cleared(job.key());
        try {
            listener.accept(c, job.file(), result);
        } catch (RuntimeException e) {
            LOG.warn("analysis listener failed for {}: {}", job.key(), e.toString());
        }
    }

    private PreviousVersion baseline(Job job) {
        synchronized (this) {
            return file.baseline(job);
        }
    }

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
        synchronized (this) {
            file.close();
        }
    }
}
