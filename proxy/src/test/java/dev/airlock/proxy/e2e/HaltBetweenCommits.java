package dev.airlock.proxy.e2e;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.proxy.npm.NpmTarballs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The firewall's two stores in a JVM of their own, laid out in the data directory as
 * {@code airlock serve} lays them out (the analysis queue under {@code analysis/}, policy's
 * verdicts beside it), wired as the server wires them, except that the queue's result listener is
 * decorated: once the queue has committed a result, and before policy is told of it, the process
 * halts ({@link Runtime#halt}: no shutdown hook, no store close, as after {@code kill -9}).
 *
 * <p>Arguments: npm coordinate ({@code name@version}), its publish time, the tarball's upstream
 * URL, the tarball's path on disk, then the configuration flags the server is started with later.
 * Prints {@code SUBMITTED} once policy has queued the version and {@code COMMITTED <recommendation>}
 * just before halting with {@link #HALTED}.
 */
public final class HaltBetweenCommits {
    /** The exit status of a halt at the point under test (any other status: it died elsewhere). */
    static final int HALTED = 86;

    private HaltBetweenCommits() {
    }

    public static void main(String[] args) throws Exception {
        PackageCoordinate c = PackageCoordinate.parse("npm:" + args[0]);
        Instant published = Instant.parse(args[1]);
        URI tarball = URI.create(args[2]);
        Path artifact = Path.of(args[3]);
        AirlockConfig config = ConfigLoader.load(Arrays.copyOfRange(args, 4, args.length), Map.of()).config();
        ArtifactSource source = new ArtifactSource() {
            @Override
            public Path fetch(PackageCoordinate coordinate) {
                return artifact;
            }

            @Override
            public List<ArtifactFile> files(PackageCoordinate coordinate) {
                // The file as the server's source names it, so the replayed result matches what it serves.
                return List.of(NpmTarballs.file(tarball, c.name() + "-" + c.version() + ".tgz", published));
            }
        };
        PersistentAnalysisQueue queue = new PersistentAnalysisQueue(config.dataDir().resolve("analysis"), config.analysis(),
                Analyzer.staticOnly(), source);
        PolicyEngine engine = PolicyEngine.open(config, new HaltAfterCommit(queue), null);
        if (engine.gate().listed(c, published).serve()) {
            say("SERVED BEFORE ANALYSIS");
            Runtime.getRuntime().halt(1);
        }
        say("SUBMITTED");
        Thread.sleep(120_000);
        say("NO RESULT");
        Runtime.getRuntime().halt(2);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** The queue as policy sees it, with policy's listener replaced by a halt. */
    private record HaltAfterCommit(PersistentAnalysisQueue queue) implements AnalysisQueue {
        @Override
        public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
            queue.submit(coordinate, priority);
        }

        @Override
        public void submit(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority) {
            queue.submit(coordinate, file, priority);
        }

        @Override
        public void reanalyze(PackageCoordinate coordinate) {
            queue.reanalyze(coordinate);
        }

        @Override
        public int depth() {
            return queue.depth();
        }

        @Override
        public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> listener) {
            onFileResult((c, f, r) -> listener.accept(c, r));
        }

        @Override
        public void onFileResult(FileResultListener policy) {
            // The queue calls its listener only after its own commit: halting here is the window under test.
            queue.onFileResult((c, file, result) -> {
                say("COMMITTED " + result.recommendation());
                Runtime.getRuntime().halt(HALTED);
            });
        }
    }
}
