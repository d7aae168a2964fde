package dev.airlock.sandbox;

import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import com.github.dockerjava.api.model.Container;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox on a Docker Engine. {@link #create} probes the engine once and never throws: without
 * an engine the sandbox reports itself unavailable and every {@link #run} fails with
 * {@link SandboxUnavailableException}, so the policy keeps new versions pending (fail closed).
 */
public final class DockerSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(DockerSandbox.class);

    private static final List<String> PHASES = List.of("install", "import");
    private static final Duration STALE_AFTER = Duration.ofHours(2);

    private final SandboxConfig config;
    private final DockerEngine engine;
    private final EngineStatus engineStatus;
    private final String owner = hostName() + "/" + ProcessHandle.current().pid();
    private final Path cacheDir = CacheDirectory.resolve();
    private final ImageBuilder images;
    private final ContainerRunner runner;
    private final Bulkhead bulkhead;
    private final Map<ArtifactKind, Baseline> baselines = new ConcurrentHashMap<>();

    private DockerSandbox(SandboxConfig config, DockerEngine engine, EngineStatus engineStatus) {
        this.config = config;
        this.engine = engine;
        this.engineStatus = engineStatus;
        this.images = engine == null ? null : new ImageBuilder(engine, cacheDir, line -> LOG.info("sandbox image: {}", line));
        this.runner = engine == null ? null : new ContainerRunner(engine, config, owner);
        // Callers queue for a slot for as long as a whole run may take, twice: a sandbox is slow, not absent.
        Duration wait = config.installTimeout().plus(config.importTimeout()).multipliedBy(2).plusMinutes(1);
        this.bulkhead = Bulkhead.of("sandbox", BulkheadConfig.custom()
                .maxConcurrentCalls(Math.max(1, config.concurrency()))
                .maxWaitDuration(wait)
                .build());
    }


    public static DockerSandbox create(SandboxConfig config) {
        SandboxConfig effective = config == null ? SandboxConfig.defaults() : config;
        DockerEngine engine;
        try {
            engine = DockerEngine.connect();
        } catch (RuntimeException e) {
            return new DockerSandbox(effective, null, EngineStatus.unreachable("cannot configure the Docker client: " + e.getMessage()));
        }
        EngineStatus status = probe(engine, effective);
        if (!status.usable()) {
            LOG.warn("sandbox unavailable: {}", status.problem());
        }
        DockerSandbox sandbox = new DockerSandbox(effective, engine, status);
        sandbox.reap(false);
        return sandbox;
    }

    private static EngineStatus probe(DockerEngine engine, SandboxConfig config) {
        try {
            engine.client().pingCmd().exec();
            Version version = engine.client().versionCmd().exec();
            Info info = engine.client().infoCmd().exec();
            Map<String, ?> runtimes = info.getRuntimes();
            String names = runtimes == null ? "" : String.join(" ", new TreeSet<>(runtimes.keySet()));
            String versionText = version.getVersion() + " (API " + version.getApiVersion() + ")";
            String problem = null;
            if (runtimes != null && !runtimes.containsKey(config.runtime())) {
                problem = "the engine has no runtime '" + config.runtime() + "' registered (has: " + names
                        + "); see sandbox/README.md";
            }
            return new EngineStatus(true, versionText, names, problem);
        } catch (RuntimeException e) {
            return EngineStatus.unreachable("no Docker engine reachable at " + engine.host() + ": "
                    + rootMessage(e) + " (dynamic analysis unavailable; new versions stay pending)");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public boolean available() {
        return engineStatus.usable();
    }

    @Override
    public String status() {
        if (!engineStatus.usable()) {
            return "sandbox UNAVAILABLE: " + engineStatus.problem();
        }
        String image;
        try {
            image = images.present(imageTag()) ? "image " + imageTag()
                    : "image " + imageTag() + " not built yet or from an older recipe (built on first use, or: bin/airlock sandbox build-image)";
        } catch (RuntimeException e) {
            image = "image " + imageTag() + " (could not check: " + e.getMessage() + ")";
        }
        return "sandbox ready: Docker " + engineStatus.version() + " at " + engine.host() + ", runtime "
                + config.runtime() + ", " + image;
    }

    /** The image this sandbox runs: {@code sandbox.image} or {@code airlock-sandbox:<version>}. */
    public String imageTag() {
        return config.image() != null ? config.image() : SandboxImage.defaultTag();
    }

    /** Builds (or re-imports) the image now instead of on first need; for {@code sandbox build-image}. */
    public String buildImage(boolean rebuild) throws IOException, SandboxUnavailableException {
        requireEngine();
        return images.ensure(imageTag(), rebuild).describe();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The file name must keep the artifact's real extension ({@code .tgz} for npm; {@code .whl},
     * {@code .tar.gz}, {@code .zip} for PyPI), and a wheel its real PEP 427 name, because pip reads the
     * project and tags from it. Builds the image on first need and records the harmless baseline of
     * the artifact's kind on first use (a few seconds each).
     *
     * @throws IllegalArgumentException when the file is neither kind or a wheel's name is not valid
     */
    @Override
    public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        requireEngine();
        ArtifactKind kind = ArtifactKind.of(artifact, ecosystem);
        Path file = artifact.toAbsolutePath().toRealPath();
        if (!Files.isRegularFile(file)) {
            throw new IOException("not a file: " + artifact);
        }
        String containerName = kind.containerFileName(file);
        ensureImage();
        try {
            return bulkhead.executeCallable(() -> {
                Baseline baseline = baseline(kind);
                return runOnce(file, containerName, kind, baseline);
            });
        } catch (BulkheadFullException e) {
            throw new SandboxUnavailableException("all " + config.concurrency() + " sandbox slots stayed busy", e);
        } catch (IOException | SandboxUnavailableException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void requireEngine() throws SandboxUnavailableException {
        if (!available()) {
            throw new SandboxUnavailableException(engineStatus.problem());
        }
    }

    private void ensureImage() throws SandboxUnavailableException {
        try {
            ImageBuilder.Result result = images.ensure(imageTag(), false);
            if (!result.alreadyPresent()) {
                LOG.info("sandbox: {}", result.describe());
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxUnavailableException("the sandbox image " + imageTag() + " is missing and could not be built: "
                    + e.getMessage(), e);
        }
    }

    private BehaviorReport runOnce(Path file, String containerName, ArtifactKind kind, Baseline baseline)
            throws IOException, SandboxUnavailableException {
        Path out = Files.createTempDirectory("airlock-sandbox-");
        try {
            ContainerRunner.Outcome outcome;
            try {
                outcome = runner.run(imageTag(), Resources.helpers(cacheDir), file, containerName, kind, out);
            } catch (RuntimeException e) {
                throw new SandboxUnavailableException("the engine failed to run the sandbox container: " + e.getMessage(), e);
            }
            SandboxOutput output = SandboxOutput.read(out);
            if (output.result == null) {
                LOG.warn("sandbox init wrote no result (container exit {}, oom {}, killed {}); init log: {}",
                        outcome.exitCode(), outcome.oomKilled(), outcome.killedAtDeadline(), output.initLog().strip());
            }
            return new BehaviorReport(config.runtime(), imageTag(), phases(output, outcome, baseline));
        } finally {
            deleteTree(out);
        }
    }

    private List<BehaviorReport.Phase> phases(SandboxOutput output, ContainerRunner.Outcome outcome, Baseline baseline)
            throws IOException {
        List<BehaviorReport.Phase> phases = new ArrayList<>();
        double from = Double.NEGATIVE_INFINITY;
        boolean cause = false;
        for (String name : PHASES) {
            SandboxOutput.PhaseResult result = output.result == null ? null
                    : output.result.phases().stream().filter(p -> p.phase().equals(name)).findFirst().orElse(null);
            if (result == null) {
                // The container ended before the init reported this phase: the phase it was in gets
                // what the engine saw; a phase after it never ran.
                String status = cause ? "error" : outcome.oomKilled() ? "oom" : outcome.killedAtDeadline() ? "timeout" : "error";
                cause = true;
                result = new SandboxOutput.PhaseResult(name, status, null, 0, List.of(), from, Double.MAX_VALUE);
            } else if (outcome.oomKilled() && "error".equals(result.status())) {
                result = new SandboxOutput.PhaseResult(name, "oom", null, result.durationMs(), result.steps(),
                        result.started(), result.ended());
            }
            // DNS and listener records carry wall-clock times: each belongs to the phase it happened in.
            boolean last = name.equals(PHASES.get(PHASES.size() - 1));
            double to = last ? Double.MAX_VALUE : result.ended();
            phases.add(ReportAssembler.assemble(name, result, output.trace(name), output, baseline, from, to));
            from = to;
        }
        return phases;
    }

    /** The harmless package's recordings for this kind: computed once per image and helper version, cached on disk. */
    private Baseline baseline(ArtifactKind kind) throws IOException, SandboxUnavailableException {
        Baseline cached = baselines.get(kind);
        if (cached != null) {
            return cached;
        }
        Path file = cacheDir.resolve("baseline-" + kind.argument() + "-" + config.runtime() + "-" + imageId() + "-"
                + Resources.hash(Resources.HELPERS) + ".json");
        Baseline baseline;
        if (Files.isRegularFile(file)) {
            baseline = SandboxOutput.JSON.readValue(file.toFile(), Baseline.class);
        } else {
            long start = System.nanoTime();
            Path dir = Files.createTempDirectory("airlock-baseline-");
            try {
                Path harmless = HarmlessPackages.forKind(kind, dir);
                baseline = record(harmless, kind);
            } finally {
                deleteTree(dir);
            }
            Files.createDirectories(cacheDir);
            Path part = Files.createTempFile(cacheDir, "baseline", ".part");
            SandboxOutput.JSON.writeValue(part.toFile(), baseline);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("sandbox: recorded the {} baseline in {} ms", kind.argument(), (System.nanoTime() - start) / 1_000_000);
        }
        baselines.put(kind, baseline);
        return baseline;
    }

    private Baseline record(Path harmless, ArtifactKind kind) throws IOException, SandboxUnavailableException {
        Path out = Files.createTempDirectory("airlock-sandbox-");
        try {
            try {
                runner.run(imageTag(), Resources.helpers(cacheDir), harmless, kind.containerFileName(harmless), kind, out);
            } catch (RuntimeException e) {
                throw new SandboxUnavailableException("the engine failed to run the baseline container: " + e.getMessage(), e);
            }
            SandboxOutput output = SandboxOutput.read(out);
            if (output.result == null || output.result.phases().stream().anyMatch(p -> !"completed".equals(p.status())
                    || !Integer.valueOf(0).equals(p.exitCode()))) {
                throw new SandboxUnavailableException("the harmless " + kind.argument()
                        + " package did not install cleanly in the sandbox; init log: " + output.initLog().strip());
            }
            Set<String> files = new TreeSet<>();
            Set<String> commands = new TreeSet<>();
            for (SandboxOutput.PhaseResult phase : output.result.phases()) {
                ReportAssembler.View view = ReportAssembler.view(phase, ReportAssembler.parse(output.trace(phase.phase())));
                files.addAll(view.files().keySet());
                commands.addAll(view.commandKeys());
            }
            return new Baseline(files, commands);
        } finally {
            deleteTree(out);
        }
    }

    private String imageId() {
        try {
            String id = engine.client().inspectImageCmd(imageTag()).exec().getId();
            return id.replace("sha256:", "").substring(0, 12);
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LOG.warn("could not clean up {}: {}", dir, e.getMessage());
        }
    }

    /** Removes this process's containers, and any left by a sandbox process that no longer runs. */
    int reap(boolean includeOwn) {
        if (engine == null || !engineStatus.reachable()) {
            return 0;
        }
        int removed = 0;
        try {
            for (Container c : engine.client().listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(ContainerRunner.LABEL, "true")).exec()) {
                String containerOwner = c.getLabels() == null ? null : c.getLabels().get(ContainerRunner.OWNER_LABEL);
                if ((includeOwn && owner.equals(containerOwner)) || ownerGone(containerOwner, c.getCreated())) {
                    runner.remove(c.getId());
                    removed++;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("sandbox reaper could not list containers: {}", e.getMessage());
        }
        if (removed > 0) {
            LOG.info("sandbox reaper removed {} left-over container(s)", removed);
        }
        return removed;
    }

    private static boolean ownerGone(String containerOwner, Long created) {
        if (containerOwner == null) {
            return true;
        }
        int slash = containerOwner.lastIndexOf('/');
        String host = slash < 0 ? "" : containerOwner.substring(0, slash);
        if (host.equals(hostName())) {
            try {
                long pid = Long.parseLong(containerOwner.substring(slash + 1));
                return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return true;
            }
        }
        // Another host sharing this engine: only remove what is older than any deadline could make it.
        return created != null && System.currentTimeMillis() / 1000 - created > STALE_AFTER.toSeconds();
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The owner label this process puts on its containers; tests use it to check nothing is left. */
    public String ownerLabel() {
        return owner;
    }

    /** How many containers of this process exist on the engine right now (should be 0 between runs). */
    public int ownContainers() {
        if (engine == null || !engineStatus.reachable()) {
            return 0;
        }
        return engine.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerRunner.OWNER_LABEL, owner)).exec().size();
    }

    @Override
    public void close() {
        if (engine != null) {
            reap(true);
            engine.close();
        }
    }
}
