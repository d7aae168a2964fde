package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the analysis of one file job under the job deadline and says how it ended: a result (a
 * deadline overrun is one, held for review), an infrastructure failure to retry, or a stop. The
 * same for every queue, whatever stores its jobs.
 */
final class AnalysisRun {
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisRun.class);

    /** How a run ended. */
    sealed interface Outcome permits Done, Failed, Stopped {
    }

    record Done(AnalysisResult result) implements Outcome {
    }

    /**
     * An infrastructure failure: never a verdict.
     *
     * @param sandbox the sandbox could not run; the job may wait for one rather than back off
     */
    record Failed(String cause, String detail, boolean sandbox) implements Outcome {
    }

    /** The thread was interrupted (the queue is closing). */
    record Stopped() implements Outcome {
    }

    private final AnalysisConfig config;
    private final Analyzer analyzer;
    private final ArtifactSource source;
    private final ExecutorService threads;

    AnalysisRun(AnalysisConfig config, Analyzer analyzer, ArtifactSource source, ExecutorService threads) {
        this.config = config;
        this.analyzer = analyzer;
        this.source = source;
        this.threads = threads;
    }

    boolean needsSandboxAndHasNone() {
        return config.requireSandbox() && !analyzer.sandboxAvailable();
    }

    Outcome run(Job job, PreviousVersion baseline) {
        PackageCoordinate c = job.coordinate();
        Future<AnalysisResult> f = threads.submit(() -> analyzeOnce(job, baseline));
        try {
            return new Done(f.get(config.jobDeadline().toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            // Fail closed: a version whose analysis never finished is held for review, not served.
            return new Done(new AnalysisResult(c.ecosystem().id(), c.name(), c.version(),
                    job.file() == null ? null : job.file().sha256(), Recommendation.SUSPICIOUS,
                    List.of(new Finding("analysis_deadline_exceeded", "medium", "policy",
                            "Analysis did not finish within " + config.jobDeadline() + ".", "", null)), null, 0, 0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return new Stopped();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SandboxUnavailableException s) {
                return new Failed("sandbox_" + s.cause(), s.detail(), true);
            }
            if (cause instanceof IOException || cause instanceof UncheckedIOException) {
                return new Failed("fetch_failed", String.valueOf(cause.getMessage()), false);
            }
            LOG.error("analysis of {} failed; it stays queued", job.key(), cause);
            return new Failed("internal_error", String.valueOf(cause), false);
        }
    }

    private AnalysisResult analyzeOnce(Job job, PreviousVersion baseline) throws IOException, SandboxUnavailableException {
        PackageCoordinate c = job.coordinate();
        Path file = job.file() == null ? source.fetch(c) : source.fetch(c, job.file());
        boolean sandbox = analyzer.sandboxAvailable();
        if (!sandbox && config.requireSandbox()) {
            throw new SandboxUnavailableException("no sandbox is available and analysis.requireSandbox is on");
        }
        return analyzer.analyze(file, job.file() == null ? null : job.file().name(), c.ecosystem(), sandbox, c, baseline);
    }
}
