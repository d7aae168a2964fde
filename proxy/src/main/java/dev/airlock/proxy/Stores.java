package dev.airlock.proxy;

import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.analysis.queue.PostgresAnalysisQueue;
import dev.airlock.analysis.queue.StoredAnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.store.VerdictStore;
import dev.airlock.policy.store.pg.PostgresVerdictStore;
import dev.airlock.sql.Database;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The analysis queue and policy's store, embedded (MapDB files in the data directory, one node)
 * or shared (one PostgreSQL database for every node, {@code store.url}), opened together: in the
 * shared case they share the database, so a result and the verdict made of it commit as one.
 *
 * @param analysedSomewhere whether analysis can happen for a version queued here: the local sandbox
 *                          for the embedded stores, any analysing node's for the shared ones
 */
record Stores(StoredAnalysisQueue queue, VerdictStore store, boolean shared, BooleanSupplier analysedSomewhere) {
    /** The first retry after an infrastructure failure; it doubles up to five minutes. */
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);

    /**
     * @param role        {@code serve} or {@code worker}
     * @param closeables  gets what must be closed, in opening order
     * @param localProbe  whether the local sandbox can run a full analysis now
     */
    static Stores open(AirlockConfig config, Analyzer analyzer, ArtifactSource source, String role,
                       List<AutoCloseable> closeables, BooleanSupplier localProbe) throws IOException {
        if (!config.store().shared()) {
            PersistentAnalysisQueue queue = new PersistentAnalysisQueue(config.dataDir().resolve("analysis"),
                    config.analysis(), analyzer, source, FIRST_BACKOFF);
            closeables.add(queue);
            return new Stores(queue, VerdictStore.open(config.dataDir()), false, localProbe);
        }
        Database db = Database.open(config.store());
        closeables.add(db);
        PostgresAnalysisQueue queue = new PostgresAnalysisQueue(db, config.dataDir().resolve("analysis"), config.analysis(),
                analyzer, source, role, FIRST_BACKOFF);
        closeables.add(queue);
        PostgresVerdictStore store = PostgresVerdictStore.open(db);
        // A node that analyses itself answers for itself; a proxy asks whether any worker does.
        BooleanSupplier somewhere = config.analysis().enabled()
                ? () -> localProbe.getAsBoolean() || queue.analysedSomewhere() : queue::analysedSomewhere;
        return new Stores(queue, store, true, somewhere);
    }
}
