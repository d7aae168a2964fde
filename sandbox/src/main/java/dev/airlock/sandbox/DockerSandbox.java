package dev.airlock.sandbox;

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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
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

    private static final List<String> PHASES = List.of("install", "import");
    private static final Duration STALE_AFTER = Duration.ofHours(2);
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
    private final ReentrantLock probing = new ReentrantLock();
    private volatile EngineStatus engineStatus;
    private volatile long probedAt;
    private final AtomicLong probes = new AtomicLong();
    private final String owner = hostName() + "/" + ProcessHandle.current().pid();
    private final Path cacheDir = CacheDirectory.resolve();
    private final Path helpersOverride;
    private final ImageBuilder images;
    private final ContainerRunner runner;
    private final Bulkhead bulkhead;
    private final Map<String, Baseline> baselines = new ConcurrentHashMap<>();

    private DockerSandbox(SandboxConfig config, DockerEngine engine, EngineProbe prober, EngineStatus engineStatus,
                          Path helpersOverride) {
        this.config = config;
        this.engine = engine;
        this.prober = prober;
        this.engineStatus = engineStatus;
        this.probedAt = System.nanoTime();
        this.helpersOverride = helpersOverride;
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
        sandbox.probe(CREATE_WAIT);
        sandbox.reap(false);
        return sandbox;
    }

    private static void logStatus(EngineStatus status) {
        if (!status.usable()) {
            LOG.warn("sandbox unavailable: {}", status.problem());
            return;
        }
        LOG.info("sandbox: engine ready (Docker {}), runtime {}", status.version(), status.runtime());
        if (status.warning() != null) {
            LOG.warn("sandbox: {}", status.warning());
        }
    }

    /**
     * Whether the sandbox can run. When it could not at the last probe and that probe is older than
     * {@link #REPROBE_EVERY}, probes again first (at most {@link EngineProbe#TIMEOUT}).
     */
    @Override
    public boolean available() {
        EngineStatus status = engineStatus;
        if (status.usable() || System.nanoTime() - probedAt < REPROBE_EVERY.toNanos()) {
            return status.usable();
        }
        return recheck();
    }

    /**
     * Probes the engine now (bounded by {@link EngineProbe#TIMEOUT}) and returns whether the sandbox can
     * run. A caller that finds another probe in flight waits for that one instead (again at most that
     * timeout) and answers with its result.
     */
    @Override
    public boolean recheck() {
        if (prober == null) {
            return false;
        }
        long seen = probes.get();
        boolean locked = false;
        try {
            locked = probing.tryLock(EngineProbe.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            return engineStatus.usable();
        }
        try {
            // A probe that ran while this caller waited is as fresh as one it would start now.
            return probes.get() != seen ? engineStatus.usable() : probe(EngineProbe.TIMEOUT);
        } finally {
            probing.unlock();
        }
    }

    /**
     * Probes, waiting at most {@code wait}. An answer that comes later (the first call of a cold JVM
     * loads the client's classes, which can take seconds on a busy machine) still updates the status,
     * unless a newer probe started meanwhile.
     */
    private boolean probe(Duration wait) {
        long generation = probes.incrementAndGet();
        CompletableFuture<EngineStatus> answer = prober.start();
        EngineStatus now = prober.await(answer, wait);
        update(now);
        answer.thenAccept(late -> {
            if (late != now && probes.get() == generation) {
                update(late);
            }
        });
        return now.usable();
    }

    private synchronized void update(EngineStatus now) {
        EngineStatus before = engineStatus;
        engineStatus = now;
        probedAt = System.nanoTime();
        if (now.usable() != before.usable() || !Objects.equals(now.runtime(), before.runtime())
                || !Objects.equals(now.problem(), before.problem())) {
            logStatus(now);
        }
    }

    /** The runtime containers run on: what {@code sandbox.runtime} ({@code auto} by default) resolved to; null while unavailable. */
    public String runtime() {
        return engineStatus.runtime();
    }

    /** What the operator should know although the sandbox runs (e.g. gVisor missing, so runc), null when nothing. */
    public String warning() {
        return engineStatus.warning();
    }

    /** The {@link SandboxUnavailableException} code of why the sandbox cannot run, null when it can. */
    public String unavailableCause() {
        return engineStatus.cause();
    }

    @Override
    public String status() {
        EngineStatus status = engineStatus;
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
        requireEngine();
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
        String runtime = engineStatus.runtime();
        try {
            return bulkhead.executeCallable(() -> {
                Baseline baseline = baseline(kind, runtime);
                return runOnce(file, containerName, kind, baseline, runtime);
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
            EngineStatus status = engineStatus;
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
    private Contained contain(String containerName, ArtifactKind kind, String runtime, RunDirectory run)
            throws IOException, SandboxUnavailableException {
        ContainerRunner.Outcome outcome = runner.run(imageTag(), helpers(), run.in(), containerName, kind, run.out(), runtime);
        SandboxOutput output = SandboxOutput.read(run.out());
        requirePackageRan(output, outcome);
        if (output.result == null) {
            LOG.warn("sandbox init wrote no result after the package started (container exit {}, oom {}, killed {}); init log: {}",
                    outcome.exitCode(), outcome.oomKilled(), outcome.killedAtDeadline(),
                    SandboxUnavailableException.excerpt(output.initLog()));
        }
        return new Contained(outcome, output);
    }

    /**
     * Throws unless the package's own code ran, i.e. unless what follows is about the package: the init
     * marks the moment it starts handling the package, and records the failures of its own it can see
     * (an input it cannot read, its own crash). A container that ended before the mark, however it
     * ended, says nothing about the package.
     */
    private static void requirePackageRan(SandboxOutput output, ContainerRunner.Outcome outcome)
            throws SandboxUnavailableException {
        String log = (outcome.logTail().isBlank() ? "" : "container output:\n" + outcome.logTail().strip() + "\n")
                + output.initLog();
        if (output.failure != null) {
            String cause = INIT_CAUSES.contains(output.failure.cause()) ? output.failure.cause()
                    : SandboxUnavailableException.INIT_FAILED;
            throw new SandboxUnavailableException(cause, "the sandbox failed: " + output.failure.message(), log, null);
        }
        if (!output.packageStarted) {
            String how = outcome.killedAtDeadline() ? "was killed at its deadline"
                    : outcome.oomKilled() ? "ran out of memory" : "exited with code " + outcome.exitCode();
            throw new SandboxUnavailableException(SandboxUnavailableException.INIT_FAILED,
                    "the sandbox container " + how + " before the package's code started", log, null);
        }
    }

    private BehaviorReport runOnce(Path file, String containerName, ArtifactKind kind, Baseline baseline, String runtime)
            throws IOException, SandboxUnavailableException {
        try (RunDirectory run = RunDirectory.stage(file, containerName)) {
            Contained c = contain(containerName, kind, runtime, run);
            return new BehaviorReport(runtime, imageTag(), phases(c.output(), c.outcome(), baseline));
        }
    }

    /**
     * The report's phases. Only called once the package's code ran: a phase the init did not report ended
     * with the container, and gets what the engine saw (OOM, the deadline); a phase after it never ran.
     */
    private List<BehaviorReport.Phase> phases(SandboxOutput output, ContainerRunner.Outcome outcome, Baseline baseline)
            throws IOException {
        List<BehaviorReport.Phase> phases = new ArrayList<>();
        double from = Double.NEGATIVE_INFINITY;
        boolean cause = false;
        for (String name : PHASES) {
            SandboxOutput.PhaseResult result = output.result == null ? null
                    : output.result.phases().stream().filter(p -> p.phase().equals(name)).findFirst().orElse(null);
            if (result == null) {
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

    /** The harmless package's recordings for this kind and runtime: computed once per image and helper version, cached on disk. */
    private Baseline baseline(ArtifactKind kind, String runtime) throws IOException, SandboxUnavailableException {
        String key = kind.argument() + "-" + runtime;
        Baseline cached = baselines.get(key);
        if (cached != null) {
            return cached;
        }
        Path file = cacheDir.resolve("baseline-" + key + "-" + imageId() + "-" + Resources.hash(Resources.HELPERS) + ".json");
        Baseline baseline;
        if (Files.isRegularFile(file)) {
            baseline = SandboxOutput.JSON.readValue(file.toFile(), Baseline.class);
        } else {
            long start = System.nanoTime();
            Path dir = Files.createTempDirectory("airlock-baseline-");
            try {
                Path harmless = HarmlessPackages.forKind(kind, dir);
                baseline = record(harmless, kind, runtime);
            } finally {
                deleteTree(dir);
            }
            Files.createDirectories(cacheDir);
            Path part = Files.createTempFile(cacheDir, "baseline", ".part");
            SandboxOutput.JSON.writeValue(part.toFile(), baseline);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("sandbox: recorded the {} baseline on {} in {} ms", kind.argument(), runtime,
                    (System.nanoTime() - start) / 1_000_000);
        }
        baselines.put(key, baseline);
        return baseline;
    }

    private Baseline record(Path harmless, ArtifactKind kind, String runtime) throws IOException, SandboxUnavailableException {
        String containerName = kind.containerFileName(harmless);
        try (RunDirectory run = RunDirectory.stage(harmless, containerName)) {
            SandboxOutput output = contain(containerName, kind, runtime, run).output();
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
        if (prober != null) {
            prober.close();
        }
    }
}
