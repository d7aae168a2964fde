package dev.airlock.analysis;

import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real analysis queue in a JVM of its own, for tests that kill it with {@code kill -9}.
 * Arguments: data dir, coordinate, {@code hang} (the artifact fetch never returns, so the analysis
 * is running when the process dies) or the path of an artifact to analyse. Prints what happens,
 * one line each: {@code STORED <recommendation> <rules>} for a result already stored at start,
 * {@code RUNNING <key>} when an analysis starts, {@code RESULT <recommendation> <rules>}.
 */
public final class QueueChild {
    private QueueChild() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        PackageCoordinate c = PackageCoordinate.parse(args[1]);
        String artifact = args[2];
        ArtifactSource source = coordinate -> {
            say("RUNNING " + coordinate);
            if (artifact.equals("hang")) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("interrupted");
            }
            return Path.of(artifact);
        };
        PersistentAnalysisQueue q = new PersistentAnalysisQueue(data, new AnalysisConfig(2, Duration.ofSeconds(60), null, false),
                Analyzer.staticOnly(), source, Duration.ofMillis(50));
        AnalysisResult stored = q.result(c);
        if (stored != null) {
            say("STORED " + describe(stored));
        }
        q.onResult((coord, r) -> say("RESULT " + describe(r)));
        q.submit(c, AnalysisPriority.NEW_VERSION);
        say("STARTED");
        Thread.sleep(Long.MAX_VALUE);
    }

    private static String describe(AnalysisResult r) {
        StringBuilder sb = new StringBuilder(r.recommendation().name());
        r.findings().forEach(f -> sb.append(' ').append(f.rule()));
        return sb.toString();
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
