package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.analysis.InfrastructureFailure;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.common.Json;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sql.Database;
import dev.airlock.sql.StoreUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job this node leased from the shared queue: a death recorded by the takeover, a version
 * expanded into its files, a file analysed; then the result recorded with policy's verdict in one
 * transaction, or the job let go of until a backoff has passed.
 */
final class SharedJobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SharedJobRunner.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Duration SANDBOX_RECHECK = Duration.ofSeconds(5);

    /** What the runner reads from its queue when it needs it. */
    interface Hooks {
        FileResultListener listener();

        Consumer<InfrastructureFailure> failureListener();

        boolean closed();

        /** New jobs were queued (a version's files). */
        void wake();
    }

    private final Database db;
    private final String node;
    private final AnalysisRun run;
    private final ArtifactSource source;
    private final Reports reports;
    private final FailureLog failures;
    private final Duration firstBackoff;
    private final Hooks hooks;

    SharedJobRunner(Database db, AnalysisRun run, ArtifactSource source, Reports reports, FailureLog failures,
                    Duration firstBackoff, Hooks hooks) {
        this.db = db;
        this.node = db.nodeId();
        this.run = run;
        this.source = source;
        this.reports = reports;
        this.failures = failures;
        this.firstBackoff = firstBackoff;
        this.hooks = hooks;
    }

    void run(Job job) {
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
        if (hooks.closed() || outcome instanceof AnalysisRun.Stopped) {
            return;
        }
        if (outcome instanceof AnalysisRun.Failed f) {
            if (f.sandbox() && run.needsSandboxAndHasNone()) {
                failures.record(job.key(), "sandbox_unavailable", f.detail(), hooks.failureListener());
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
            if (!hooks.closed()) {
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
        hooks.wake();
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
                    AnalysisResult previous = PostgresAnalysisQueue.read(ResultRows.read(conn, baseline[0]), baseline[0]);
                    result = Baselines.withChanges(previous, Job.coordinateOf(baseline[0]).version(), result);
                }
                String text = write(result);
                ResultRows.insert(conn, job.key(), c, text, node);
                ResultRows.recordBaseline(conn, kindKey, job.key(), result.recommendation() == Recommendation.CLEAN);
                hooks.listener().accept(c, job.file(), result);
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
                AnalysisResult previous = PostgresAnalysisQueue.read(ResultRows.read(c, key), key);
                return previous == null ? null : new PreviousVersion(Job.coordinateOf(key).version(), previous.behavior());
            });
        } catch (StoreUnavailableException e) {
            LOG.warn("no behaviour baseline for {} (the store failed): {}", job.key(), e.getMessage());
            return null;
        }
    }

    /** Lets go of the job until a backoff that doubles per failure has passed; any node may run it then. */
    void reschedule(Job job, String cause, String detail) {
        failures.record(job.key(), cause, detail, hooks.failureListener());
        Duration delay = failures.backoff(job.key(), firstBackoff);
        LOG.warn("analysis of {} could not run ({}: {}); due again in {} ms (attempt {})", job.key(), cause,
                detail == null ? "" : detail.lines().findFirst().orElse(""), delay.toMillis(), failures.attempts(job.key()));
        release(job, delay, cause + "\t" + detail);
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

    private static String write(AnalysisResult r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
