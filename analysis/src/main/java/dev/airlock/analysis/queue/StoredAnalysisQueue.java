package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.analysis.InfrastructureFailure;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * An analysis queue that keeps its jobs and results: {@link PersistentAnalysisQueue} in an embedded
 * MapDB file (one node), {@link PostgresAnalysisQueue} in the shared PostgreSQL database (jobs
 * leased to the node that runs them). What the admin API and the status view read from it.
 */
public interface StoredAnalysisQueue extends AnalysisQueue {
    /** Told of every infrastructure failure (metrics); must not throw or block. */
    void onInfrastructureFailure(Consumer<InfrastructureFailure> listener);

    /** The stored result of a version (its first analysed file), or null. */
    AnalysisResult result(PackageCoordinate c);

    /** Every stored file analysis of a version, by file name (the whole-version analysis under ""). */
    Map<String, AnalysisResult> results(PackageCoordinate c);

    /**
     * Hands every stored result that {@code needed} says its consumer lacks to {@code target}, for
     * a crash between the queue's commit and policy's; returns how many.
     */
    int replay(BiPredicate<PackageCoordinate, ArtifactFile> needed, FileResultListener target);

    /** The most recent infrastructure failures, newest first. */
    List<InfrastructureFailure> recentFailures(int limit);

    /** Infrastructure failures since start, by cause. */
    Map<String, Long> failureCounts();

    /** The last infrastructure failure of a job of this version that is still waiting to run again. */
    Optional<InfrastructureFailure> lastFailure(PackageCoordinate c);

    /** Jobs that cannot run until a sandbox answers. */
    int waitingForSandbox();
}
