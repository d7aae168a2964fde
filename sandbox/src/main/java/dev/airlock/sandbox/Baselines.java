package dev.airlock.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The harmless package's recordings per artifact kind and runtime: what the runtime, the installer and
 * the sandbox's own helpers do when the package does nothing. Recorded once per image and helper
 * version (a few seconds each), cached on disk, and subtracted from every real package's report.
 */
final class Baselines {
    private static final Logger LOG = LoggerFactory.getLogger(Baselines.class);

    /** Runs the harmless artifact in a container and turns what it left into a baseline ({@link #from}) before cleaning up. */
    interface Recorder {
        Baseline record(Path artifact, ArtifactKind kind, String runtime) throws IOException, SandboxUnavailableException;
    }

    private final Path cacheDir;
    private final Supplier<String> imageId;
    private final Recorder recorder;
    private final Map<String, Baseline> known = new ConcurrentHashMap<>();

    Baselines(Path cacheDir, Supplier<String> imageId, Recorder recorder) {
        this.cacheDir = cacheDir;
        this.imageId = imageId;
        this.recorder = recorder;
    }

    Baseline of(ArtifactKind kind, String runtime) throws IOException, SandboxUnavailableException {
        String key = kind.argument() + "-" + runtime;
        Baseline cached = known.get(key);
        if (cached != null) {
            return cached;
        }
        Path file = cacheDir.resolve("baseline-" + key + "-" + imageId.get() + "-" + Resources.hash(Resources.HELPERS) + ".json");
        Baseline baseline;
        if (Files.isRegularFile(file)) {
            baseline = SandboxOutput.JSON.readValue(file.toFile(), Baseline.class);
        } else {
            long start = System.nanoTime();
            Path dir = Files.createTempDirectory("airlock-baseline-");
            try {
                baseline = recorder.record(HarmlessPackages.forKind(kind, dir), kind, runtime);
            } finally {
                RunDirectory.deleteTree(dir);
            }
            Files.createDirectories(cacheDir);
            Path part = Files.createTempFile(cacheDir, "baseline", ".part");
            SandboxOutput.JSON.writeValue(part.toFile(), baseline);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("sandbox: recorded the {} baseline on {} in {} ms", kind.argument(), runtime,
                    (System.nanoTime() - start) / 1_000_000);
        }
        known.put(key, baseline);
        return baseline;
    }

    /** The baseline in a harmless run's output; fails unless every phase completed with exit code 0. */
    static Baseline from(SandboxOutput output, ArtifactKind kind) throws IOException, SandboxUnavailableException {
        if (output.result == null || output.result.phases().stream().anyMatch(p -> !"completed".equals(p.status())
                || !Integer.valueOf(0).equals(p.exitCode()))) {
            throw new SandboxUnavailableException(SandboxUnavailableException.BASELINE_FAILED, "the harmless "
                    + kind.argument() + " package did not install cleanly in the sandbox", output.initLog(), null);
        }
        Set<String> files = new TreeSet<>();
        Set<String> commands = new TreeSet<>();
        for (SandboxOutput.PhaseResult phase : output.result.phases()) {
            ReportAssembler.View view = ReportAssembler.view(phase, ReportAssembler.parse(output.trace(phase.phase())));
            files.addAll(view.files().keySet());
            commands.addAll(view.commandKeys());
        }
        return new Baseline(files, commands);
    }
}
