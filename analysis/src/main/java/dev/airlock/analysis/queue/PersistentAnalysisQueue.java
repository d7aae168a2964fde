package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.store.BehaviorDiff;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sandbox.SandboxUnavailableException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis queue on a MapDB file with transactions: a submitted version is written before it
 * is acknowledged, so pending jobs resume after a restart. One job per version; a higher priority
 * moves a waiting job up. Infrastructure failures (the artifact cannot be fetched, the sandbox is
 * unavailable) are retried with exponential backoff; a verdict is never re-rolled. Reports are
 * kept as JSON files beside the store.
 */
public final class PersistentAnalysisQueue implements AnalysisQueue {
    private static final Logger LOG = LoggerFactory.getLogger(PersistentAnalysisQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DB db;
    private final HTreeMap<String, Integer> pending;
    private final HTreeMap<String, String> results;
    private final HTreeMap<String, String> latestByPackage;
    private final Path reports;
    private final AnalysisConfig config;
    private final Analyzer analyzer;
    private final ArtifactSource source;
    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>();
    private final Map<String, Job> waiting = new ConcurrentHashMap<>();
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final ExecutorService dispatcher;
    private final ExecutorService workers;
    private final ExecutorService analysisThreads;
    private final Retry retry;
    private final AtomicLong seq = new AtomicLong();
    private volatile BiConsumer<PackageCoordinate, AnalysisResult> listener = (c, r) -> { };
    private volatile boolean closed;

    private record Job(PackageCoordinate coordinate, AnalysisPriority priority, long seq) implements Comparable<Job> {
        @Override
        public int compareTo(Job o) {
            int p = priority.compareTo(o.priority);
            return p != 0 ? p : Long.compare(seq, o.seq);
        }
    }

    public PersistentAnalysisQueue(Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source) throws IOException {
        this(dataDir, config, analyzer, source, Duration.ofSeconds(2), 4);
    }

    /** With the retry backoff start and attempt count given (tests use short ones). */
    public PersistentAnalysisQueue(Path dataDir, AnalysisConfig config, Analyzer analyzer, ArtifactSource source,
                                   Duration firstBackoff, int attempts) throws IOException {
        Files.createDirectories(dataDir);
        this.reports = Files.createDirectories(dataDir.resolve("reports"));
        this.config = config;
        this.analyzer = analyzer;
        this.source = source;
        this.db = DBMaker.fileDB(dataDir.resolve("analysis-queue.db").toFile()).transactionEnable().closeOnJvmShutdown().make();
        this.pending = db.hashMap("pending", Serializer.STRING, Serializer.INTEGER).createOrOpen();
        this.results = db.hashMap("results", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.latestByPackage = db.hashMap("latest", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.retry = Retry.of("analysis", RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(firstBackoff, 2.0))
                .retryExceptions(IOException.class, UncheckedIOException.class, SandboxUnavailableException.class)
                .build());
        int n = Math.max(1, config.concurrency());
        this.workers = Executors.newFixedThreadPool(n, r -> daemon(r, "analysis-worker"));
        this.analysisThreads = Executors.newCachedThreadPool(r -> daemon(r, "analysis-job"));
        this.dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "analysis-dispatch"));
        pruneReports();
        for (Map.Entry<String, Integer> e : pending.getEntries()) {
            enqueue(PackageCoordinate.parse(e.getKey()), AnalysisPriority.values()[e.getValue()]);
        }
        // Jobs resumed from the last run start only once a listener is set (onResult): a result
        // delivered to nobody would leave its version pending.
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener) {
        this.listener = listener;
        if (started.compareAndSet(false, true)) {
            dispatcher.submit(this::dispatch);
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public synchronized void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
        String key = coordinate.toString();
        if (results.containsKey(key) || running.containsKey(key)) {
            return;
        }
        Integer existing = pending.get(key);
        if (existing != null && existing <= priority.ordinal()) {
            return;
        }
        pending.put(key, priority.ordinal());
        db.commit();
        enqueue(coordinate, priority);
    }

    private void enqueue(PackageCoordinate c, AnalysisPriority p) {
        Job job = new Job(c, p, seq.incrementAndGet());
        Job old = waiting.put(c.toString(), job);
        if (old != null) {
            queue.remove(old);
        }
        queue.add(job);
    }

    @Override
    public int depth() {
        return pending.size();
    }

    /** The stored result of a version, or null. */
    public AnalysisResult result(PackageCoordinate c) {
        String json = results.get(c.toString());
        try {
            return json == null ? null : JSON.readValue(json, AnalysisResult.class);
        } catch (IOException e) {
            LOG.warn("unreadable stored result for {}: {}", c, e.toString());
            return null;
        }
    }

    private void dispatch() {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(Math.max(1, config.concurrency()));
        while (!closed) {
            try {
                slots.acquire();
                Job job = queue.poll(200, TimeUnit.MILLISECONDS);
                if (job == null) {
                    slots.release();
                    continue;
                }
                String key = job.coordinate().toString();
                if (waiting.get(key) != job) {
                    slots.release();
                    continue;
                }
                waiting.remove(key);
                running.put(key, true);
                workers.submit(() -> {
                    try {
                        runJob(job.coordinate());
                    } finally {
                        running.remove(key);
                        slots.release();
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void runJob(PackageCoordinate c) {
        AnalysisResult result;
        Future<AnalysisResult> f = analysisThreads.submit(() -> {
            try {
                return Retry.decorateCheckedSupplier(retry, () -> analyzeOnce(c)).get();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        try {
            result = f.get(config.jobDeadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // Fail closed: a version whose analysis never finished is held for review, not served.
            result = new AnalysisResult(c.ecosystem().id(), c.name(), c.version(), null, Recommendation.SUSPICIOUS,
                    List.of(new Finding("analysis_deadline_exceeded", "medium", "policy",
                            "Analysis did not finish within " + config.jobDeadline() + ".", "", null)), null, 0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            if (closed) {
                return;
            }
            LOG.warn("analysis of {} failed after retries; it stays queued for the next start: {}", c, e.getCause().toString());
            return;
        }
        if (closed) {
            return;
        }
        finish(c, result);
    }

    private AnalysisResult analyzeOnce(PackageCoordinate c) throws IOException, SandboxUnavailableException {
        Path file = source.fetch(c);
        return analyzer.analyze(file, c.ecosystem(), analyzer.sandboxAvailable(), c);
    }

    private synchronized void finish(PackageCoordinate c, AnalysisResult result) {
        String pkg = c.packageId().toString();
        String previousKey = latestByPackage.get(pkg);
        if (previousKey != null && !previousKey.equals(c.toString())) {
            AnalysisResult previous = result(PackageCoordinate.parse(previousKey));
            List<Finding> changes = BehaviorDiff.compare(previous, PackageCoordinate.parse(previousKey).version(), result);
            if (!changes.isEmpty()) {
                List<Finding> all = new ArrayList<>(result.findings());
                all.addAll(changes);
                result = new AnalysisResult(result.ecosystem(), result.name(), result.version(), result.sha256(),
                        result.recommendation(), all, result.behavior(), result.staticMs(), result.dynamicMs());
            }
        }
        try {
            String json = JSON.writeValueAsString(result);
            results.put(c.toString(), json);
            latestByPackage.put(pkg, c.toString());
            pending.remove(c.toString());
            db.commit();
            writeReport(c, json);
        } catch (IOException e) {
            db.rollback();
            LOG.warn("could not store the analysis of {}: {}", c, e.toString());
            return;
        }
        try {
            listener.accept(c, result);
        } catch (RuntimeException e) {
            LOG.warn("analysis listener failed for {}: {}", c, e.toString());
        }
    }

    private void writeReport(PackageCoordinate c, String json) throws IOException {
        Path dir = reports.resolve(c.ecosystem().id()).resolve(c.name().replace('/', '+'));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(c.version() + ".json"), json);
    }

    private void pruneReports() throws IOException {
        if (config.retention() == null) {
            return;
        }
        Instant cutoff = Instant.now().minus(config.retention());
        try (var files = Files.walk(reports)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        dispatcher.shutdownNow();
        workers.shutdownNow();
        analysisThreads.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!db.isClosed()) {
                db.close();
            }
        }
    }
}
