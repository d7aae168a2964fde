package dev.airlock.analysis;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.util.function.BiConsumer;

/**
 * Where versions wait for analysis. Implementations are persistent and deduplicate per version;
 * results reach the listener (policy turns them into verdicts).
 */
public interface AnalysisQueue extends AutoCloseable {
    /**
     * Queues a version unless it is already queued or analysed; a higher priority moves it up. The
     * queue analyses every file the registry lists for the version.
     */
    void submit(PackageCoordinate coordinate, AnalysisPriority priority);

    /** Queues one file of a version (a file added to a release, a file asked for by a download). */
    default void submit(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority) {
        submit(coordinate, priority);
    }

    /**
     * Analyses the version again even though it was analysed (after a rule or sandbox fix): its
     * stored results are dropped and a new job is queued ahead of new versions; the new result
     * reaches the listener like any other.
     */
    default void reanalyze(PackageCoordinate coordinate) {
        submit(coordinate, AnalysisPriority.DOWNLOAD_WAITING);
    }

    /** Number of versions waiting or running. */
    int depth();

    /** Receives each finished analysis. Set once, before the first submit. */
    void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener);

    /** Receives each finished analysis with the file it was of; set instead of {@link #onResult}. */
    default void onFileResult(FileResultListener listener) {
        onResult((c, r) -> listener.accept(c, null, r));
    }

    @Override
    default void close() {
    }
}
