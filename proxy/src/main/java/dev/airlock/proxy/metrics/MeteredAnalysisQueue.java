package dev.airlock.proxy.metrics;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.PackageCoordinate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Wraps the analysis queue so that every finished analysis is timed by outcome and the time it
 * spent waiting is recorded, without the analysis module knowing about metrics. The wait is the
 * time from first submit to result minus the analysis' own static and sandbox time, which is what
 * a person waiting on a held version experiences as queueing.
 */
public final class MeteredAnalysisQueue implements AnalysisQueue {
    /** Submit times are kept for at most this many versions, so a queue that never answers cannot grow memory. */
    static final int MAX_TRACKED = 100_000;
    private final AnalysisQueue delegate;
    private final AirlockMetrics metrics;
    private final Map<PackageCoordinate, Long> submittedAt = new ConcurrentHashMap<>();

    public MeteredAnalysisQueue(AnalysisQueue delegate, AirlockMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
        metrics.queueDepth(delegate::depth);
    }

    @Override
    public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
        if (submittedAt.size() < MAX_TRACKED) {
            submittedAt.putIfAbsent(coordinate, System.nanoTime());
        }
        delegate.submit(coordinate, priority);
    }

    @Override
    public void submit(PackageCoordinate coordinate, dev.airlock.model.ArtifactFile file, AnalysisPriority priority) {
        if (submittedAt.size() < MAX_TRACKED) {
            submittedAt.putIfAbsent(coordinate, System.nanoTime());
        }
        delegate.submit(coordinate, file, priority);
    }

    @Override
    public void reanalyze(PackageCoordinate coordinate) {
        if (submittedAt.size() < MAX_TRACKED) {
            submittedAt.putIfAbsent(coordinate, System.nanoTime());
        }
        delegate.reanalyze(coordinate);
    }

    @Override
    public void onFileResult(dev.airlock.analysis.FileResultListener listener) {
        delegate.onFileResult((c, f, r) -> {
            record(c, r);
            listener.accept(c, f, r);
        });
    }

    @Override
    public int depth() {
        return delegate.depth();
    }

    @Override
    public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener) {
        delegate.onResult((c, r) -> {
            record(c, r);
            listener.accept(c, r);
        });
    }

    private void record(PackageCoordinate c, AnalysisResult r) {
        try {
            long ranMs = Math.max(0, r.staticMs()) + Math.max(0, r.dynamicMs());
            String rec = r.recommendation() == null ? "none" : r.recommendation().name();
            metrics.analysis(c.ecosystem().id(), rec, Duration.ofMillis(ranMs));
            Long at = submittedAt.remove(c);
            if (at != null) {
                long turnaroundMs = (System.nanoTime() - at) / 1_000_000;
                metrics.queueWait(Duration.ofMillis(Math.max(0, turnaroundMs - ranMs)));
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(MeteredAnalysisQueue.class).warn("analysis metrics failed (ignored)", e);
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
