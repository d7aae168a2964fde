package dev.airlock.analysis;

import dev.airlock.model.PackageCoordinate;
import java.util.function.BiConsumer;

/**
 * Where versions wait for analysis. Implementations are persistent and deduplicate per version;
 * results reach the listener (policy turns them into verdicts).
 */
public interface AnalysisQueue extends AutoCloseable {
    /** Queues a version unless it is already queued or analysed; a higher priority moves it up. */
    void submit(PackageCoordinate coordinate, AnalysisPriority priority);

    /** Number of versions waiting or running. */
    int depth();

    /** Receives each finished analysis. Set once, before the first submit. */
    void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener);

    @Override
    default void close() {
    }
}
