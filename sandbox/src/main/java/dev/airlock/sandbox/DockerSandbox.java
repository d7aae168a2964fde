package dev.airlock.sandbox;

import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox on a Docker Engine. {@link #create} probes the engine (within a few seconds) and never
 * throws: without an engine the sandbox reports itself unavailable and every {@link #run} fails with
 * {@link SandboxUnavailableException}, so the policy keeps new versions pending (fail closed). While
 * unavailable, {@link #available()} probes again at most every {@link #REPROBE_EVERY}, so a waiting
 * job notices an engine that came up.
 */
public final class DockerSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(DockerSandbox.class);

    private static final List<String> PHASES = List.of("install", "import", "execute");
    static final Duration REPROBE_EVERY = Duration.ofSeconds(10);
    /**
     * How long {@link #create} waits for the first probe: longer than a re-check, because the first call
     * also loads the client's classes. An engine that is absent (no socket, refused) fails at once.
     */
    static final Duration CREATE_WAIT = Duration.ofSeconds(5);
    /** The codes the init may record in failure.json; anything else is read as its own crash. */
    private static final Set<String> INIT_CAUSES = Set.of(SandboxUnavailableException.INPUT_UNREADABLE,
            SandboxUnavailableException.INIT_FAILED);

    /** Failures after which the engine itself is probed again. */
    private static final Set<String> ENGINE_CAUSES = Set.of(SandboxUnavailableException.ENGINE_FAILED,
            SandboxUnavailableException.CONTAINER_START_FAILED, SandboxUnavailableException.IMAGE_MISSING);

    private final SandboxConfig config;
    private final DockerEngine engine;
    private final EngineProbe prober;
    private final EngineWatch watch;
    private final String owner = ContainerReaper.ownerOfThisProcess();
    private final Path cacheDir = CacheDirectory.resolve();
    private final Path helpersOverride;
    private final ImageBuilder images;
    private final ContainerRunner runner;
    private final ContainerReaper reaper;
    private final Baselines baselines;
    private final Bulkhead bulkhead;

    private DockerSandbox(SandboxConfig config, DockerEngine engine, EngineProbe prober, EngineStatus engineStatus,
                          Path helpersOverride) {
        this.config = config;
        this.engine = engine;
        this.prober = prober;
        this.watch = new EngineWatch(prober, engineStatus, REPROBE_EVERY);
        this.helpersOverride = helpersOverride;
        this.images = engine == null ? null : new ImageBuilder(engine, cacheDir, line -> LOG.info("sandbox image: {}", line));
        this.runner = engine == null ? null : new ContainerRunner(engine, config, owner);
        this.reaper = new ContainerReaper(engine, runner, owner, () -> watch.status().reachable());
        this.baselines = new Baselines(cacheDir, this::imageId, this::recordBaseline);
        // Callers queue for a slot for as long as a whole run may take, twice: a sandbox is slow, not absent.
        Duration wait = config.installTimeout().plus(config.importTimeout().multipliedBy(2)).multipliedBy(2).plusMinutes(1);
        this.bulkhead = Bulkhead.of("sandbox", BulkheadConfig.custom()
                .maxConcurrentCalls(Math.max(1, config.concurrency()))
                .maxWaitDuration(wait)
                .build());
    }

    public static DockerSandbox create(SandboxConfig config) {
        return create(config, null);
    }

    /** As {@link #create(SandboxConfig)}, with the helper scripts from {@code helpersOverride} (tests break them on purpose). */
    static DockerSandbox create(SandboxConfig config, Path helpersOverride) {
        SandboxConfig effective = config == null ? SandboxConfig.defaults() : config;
        DockerEngine engine;
        EngineProbe prober;
        try {
            engine = DockerEngine.connect();
            prober = new EngineProbe(DockerEngine.connect(EngineProbe.TIMEOUT), effective.runtime());
        } catch (RuntimeException e) {
            return new DockerSandbox(effective, null, null,
                    EngineStatus.unreachable("cannot configure the Docker client: " + e.getMessage()), helpersOverride);
        }
        // Created first, so that an answer arriving after the wait still reaches it.
        DockerSandbox sandbox = new DockerSandbox(effective, engine, prober,
                EngineStatus.unreachable("the Docker engine at " + engine.host() + " has not been probed yet"), helpersOverride);
        sandbox.watch.probe(CREATE_WAIT);
        sandbox.reap(false);
        return sandbox;
    }

    /**
     * Whether the sandbox can run. When it could not at the last probe and that probe is older than
     * {@link #REPROBE_EVERY}, probes again first (at most {@link EngineProbe#TIMEOUT}).
     */
    @Override
    public boolean available() {
        return watch.available();
    }

    /**
     * Probes the engine now (bounded by {@link EngineProbe#TIMEOUT}) and returns whether the sandbox can
     * run. A caller that finds another probe in flight waits for that one instead.
     */
    @Override
    public boolean recheck() {
        return watch.recheck();
    }

    /** The runtime containers run on: what {@code sandbox.runtime} ({@code auto} by default) resolved to; null while unavailable. */
    public String runtime() {
        return watch.status().runtime();
    }

    /** What the operator should know although the sandbox runs (e.g. gVisor missing, so runc), null when nothing. */
    public String warning() {
        return watch.status().warning();
    }

    /** The {@link SandboxUnavailableException} code of why the sandbox cannot run, null when it can. */
    public String unavailableCause() {
        return watch.status().cause();
    }

    @Override
    public String status() {
        EngineStatus status = watch.status();
        if (!status.usable()) {
            return "sandbox UNAVAILABLE (" + status.cause() + "): " + status.problem();
        }
        String image;
        try {
            image = images.present(imageTag()) ? "image " + imageTag()
                    : "image " + imageTag() + " not built yet or from an older recipe (built on first use, or: bin/airlock sandbox build-image)";
        } catch (RuntimeException e) {
            image = "image " + imageTag() + " (could not check: " + e.getMessage() + ")";
        }
        String runtime = "runtime " + status.runtime() + (RuntimeChoice.AUTO.equals(config.runtime()) ? " (auto)" : "");
        return "sandbox ready: Docker " + status.version() + " at " + engine.host() + ", " + runtime + ", " + image
                + (status.warning() == null ? "" : "; WARNING: " + status.warning());
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
     * project and tags from it. The container gets a private copy of the file, so the file's own mode
     * and owner do not matter. Builds the image on first need and records the harmless baseline of the
     * artifact's kind on first use (a few seconds each).
     *
     * @throws SandboxUnavailableException whenever the sandbox, not the package, failed; {@link
     *                                     SandboxUnavailableException#cause()} says what
     * @throws IllegalArgumentException    when the file is neither kind or a wheel's name is not valid
     */
    @Override
    public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        return run(artifact, null, ecosystem);
    }

    /** {@inheritDoc} The staged copy the container sees carries {@code fileName} (validated like any archive name). */
    @Override
    public BehaviorReport run(Path artifact, String fileName, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        return run(artifact, fileName, ecosystem, null);
    }

    /**
     * {@inheritDoc} The directory is mounted read-only at {@code /deps}; its files must be readable by
     * any user (the container's unprivileged user installs from it).
     */
    @Override
    public BehaviorReport run(Path artifact, String fileName, Ecosystem ecosystem, Path dependencies)
            throws IOException, SandboxUnavailableException {
        requireEngine();
        Path deps = dependencies == null ? null : dependencies.toAbsolutePath().toRealPath();
        if (deps != null && !Files.isDirectory(deps)) {
            throw new IllegalArgumentException("not a directory of dependencies: " + dependencies);
        }
        Path named = fileName == null ? artifact : Path.of(fileName).getFileName();
        if (fileName != null && !named.toString().equals(fileName)) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        ArtifactKind kind = ArtifactKind.of(named, ecosystem);
        Path file;
        try {
            file = artifact.toAbsolutePath().toRealPath();
        } catch (IOException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.INPUT_UNREADABLE,
                    "cannot read the artifact " + artifact + ": " + e, null, e);
        }
        String containerName = kind.containerFileName(named);
        ensureImage();
        String runtime = watch.status().runtime();
        try {
            return bulkhead.executeCallable(() -> {
                Baseline baseline = baselines.of(kind, runtime);
                return runOnce(file, containerName, kind, baseline, runtime, deps);
            });
        } catch (BulkheadFullException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.SLOTS_BUSY,
                    "all " + config.concurrency() + " sandbox slots stayed busy", null, e);
        } catch (SandboxUnavailableException e) {
            if (ENGINE_CAUSES.contains(e.cause())) {
                // The engine may have gone away since the last probe: let available() say so now,
                // rather than hand the next job to the same failure.
                recheck();
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void requireEngine() throws SandboxUnavailableException {
        if (!available()) {
            EngineStatus status = watch.status();
            throw new SandboxUnavailableException(status.cause() == null ? SandboxUnavailableException.UNAVAILABLE
                    : status.cause(), status.problem(), null, null);
        }
    }

    private void ensureImage() throws SandboxUnavailableException {
        try {
            ImageBuilder.Result result = images.ensure(imageTag(), false);
            if (!result.alreadyPresent()) {
                LOG.info("sandbox: {}", result.describe());
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.IMAGE_MISSING, "the sandbox image "
                    + imageTag() + " is missing and could not be built: " + e.getMessage(), null, e);
        }
    }

    private Path helpers() throws IOException {
        return helpersOverride != null ? helpersOverride : Resources.helpers(cacheDir);
    }

    /** What one container run left: the engine's view and the init's records. */
    private record Contained(ContainerRunner.Outcome outcome, SandboxOutput output) {
    }

    /** One container run; returns what it left once the package's own code is known to have run. */
    private Contained contain(String containerName, ArtifactKind kind, String runtime, RunDirectory run, Path deps)
            throws IOException, SandboxUnavailableException {
        ContainerRunner.Outcome outcome = runner.run(imageTag(), helpers(), run.in(), containerName, kind, run.out(), runtime,
                deps);
        SandboxOutput output = SandboxOutput.read(run.out());
        PhaseReports.requirePackageRan(output, outcome, INIT_CAUSES);
        if (output.result == null) {
            LOG.warn("sandbox init wrote no result after the package started (container exit {}, oom {}, killed {}); init log: {}",
                    outcome.exitCode(), outcome.oomKilled(), outcome.killedAtDeadline(),
                    SandboxUnavailableException.excerpt(output.initLog()));
        }
        return new Contained(outcome, output);
    }

    private BehaviorReport runOnce(Path file, String containerName, ArtifactKind kind, Baseline baseline, String runtime,
                                   Path deps) throws IOException, SandboxUnavailableException {
        try (RunDirectory run = RunDirectory.stage(file, containerName)) {
            Contained c = contain(containerName, kind, runtime, run, deps);
            return new BehaviorReport(runtime, imageTag(), PhaseReports.phases(PHASES, c.output(), c.outcome(), baseline));
        }
    }

    private Baseline recordBaseline(Path harmless, ArtifactKind kind, String runtime) throws IOException, SandboxUnavailableException {
        String containerName = kind.containerFileName(harmless);
        try (RunDirectory run = RunDirectory.stage(harmless, containerName)) {
            return Baselines.from(contain(containerName, kind, runtime, run, null).output(), kind);
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

    /** Removes this process's containers (when {@code includeOwn}), and any left by a sandbox process that no longer runs. */
    int reap(boolean includeOwn) {
        return reaper.reap(includeOwn);
    }

    /** The owner label this process puts on its containers; tests use it to check nothing is left. */
    public String ownerLabel() {
        return owner;
    }

    /** How many containers of this process exist on the engine right now (should be 0 between runs). */
    public int ownContainers() {
        return reaper.own();
    }

    @Override
    public void close() {
        if (engine != null) {
            reap(true);
            engine.close();
        }
        if (prober != null) {
            prober.close();
        }
    }
}
