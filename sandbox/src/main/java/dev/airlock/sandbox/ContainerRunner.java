package dev.airlock.sandbox;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.airlock.config.SandboxConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's life: create (locked down), start, wait within a deadline, kill on expiry, inspect,
 * and always force-remove. Phase deadlines are enforced inside by the init script; the deadline here
 * is the backstop for when the container itself misbehaves (e.g. a runtime that hangs at start).
 */
final class ContainerRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerRunner.class);
    static final String LABEL = "dev.airlock.sandbox";
    static final String OWNER_LABEL = "dev.airlock.sandbox.owner";
    /** Set-up before the phases (network, baits) and copying traces after them. */
    private static final Duration MARGIN = Duration.ofSeconds(25);
    /**
     * strace needs SYS_PTRACE; the init drops to uid 1000 (SETUID/SETGID), chowns the home (CHOWN,
     * FOWNER, DAC_OVERRIDE), kills leftovers (KILL), binds port 53 and the listener's low ports
     * (NET_BIND_SERVICE) and routes every address to loopback (NET_ADMIN). The package's code runs
     * as uid 1000 with no-new-privileges, so it holds none of these.
     */
    private static final Capability[] CAPS = {Capability.SETUID, Capability.SETGID, Capability.SYS_PTRACE,
            Capability.NET_BIND_SERVICE, Capability.CHOWN, Capability.FOWNER, Capability.DAC_OVERRIDE,
            Capability.KILL, Capability.NET_ADMIN};

    /** Lines of the container's own output kept when it exits non-zero (the init's traceback, python3's complaint). */
    private static final int LOG_TAIL = 20;

    /**
     * What happened to the container, as the engine saw it.
     *
     * @param logTail the last lines of the container's stdout and stderr when it exited non-zero, else ""
     */
    record Outcome(Long exitCode, boolean oomKilled, boolean killedAtDeadline, long durationMs, String logTail) {
    }

    private final DockerEngine engine;
    private final SandboxConfig config;
    private final String owner;

    ContainerRunner(DockerEngine engine, SandboxConfig config, String owner) {
        this.engine = engine;
        this.config = config;
        this.owner = owner;
    }

    /**
     * @param runtime  the runtime the container runs on (what {@code auto} resolved to)
     * @param inputDir the run's private copy of the artifact, mounted read-only at {@code /in}
     * @throws SandboxUnavailableException when the engine cannot create, start, wait for or inspect the container
     */
    Outcome run(String image, Path helpers, Path inputDir, String containerName, ArtifactKind kind, Path outDir,
                String runtime, Path dependenciesOrNull) throws SandboxUnavailableException {
        long start = System.nanoTime();
        long install = Math.max(1, config.installTimeout().toSeconds());
        long imp = Math.max(1, config.importTimeout().toSeconds());
        long memory = config.memoryMb() * 1024L * 1024L;
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withDns("127.0.0.1")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(
                        "/tmp", "rw,exec,nosuid,nodev,size=512m,mode=1777",
                        "/work", "rw,exec,nosuid,nodev,size=1g",
                        "/home/sandbox", "rw,exec,nosuid,nodev,size=64m",
                        "/rec", "rw,noexec,nosuid,nodev,size=256m,mode=0700"))
                .withCapDrop(Capability.ALL)
                .withCapAdd(CAPS)
                .withSecurityOpts(List.of("no-new-privileges"))
                // A quarter of the default CPU weight: under load the installs being served and their
                // static checks come first, and background sandbox runs take what is left.
                .withCpuShares(256)
                .withMemory(memory)
                .withMemorySwap(memory)
                .withNanoCPUs(1_000_000_000L)
                .withPidsLimit((long) config.pidsLimitFor(runtime))
                .withRuntime(runtime)
                .withBinds(binds(helpers, inputDir, outDir, dependenciesOrNull));
        CreateContainerResponse created;
        try {
            created = engine.client().createContainerCmd(image)
                    .withLabels(Map.of(LABEL, "true", OWNER_LABEL, owner))
                    .withHostConfig(host)
                    .withUser("0:0")
                    .withWorkingDir("/")
                    .withEnv("PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8")
                    .withCmd("python3", "-I", "/opt/airlock/airlock_init.py", kind.argument(), "/in/" + containerName,
                            Long.toString(install), Long.toString(imp), Integer.toString(maxProcesses(runtime)))
                    .exec();
        } catch (NotFoundException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.IMAGE_MISSING,
                    "the engine has no image " + image + ": " + EngineProbe.rootMessage(e), null, e);
        } catch (RuntimeException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.CONTAINER_START_FAILED,
                    "the engine refused to create the sandbox container: " + EngineProbe.rootMessage(e), null, e);
        }
        String id = created.getId();
        boolean killed = false;
        try {
            try {
                engine.client().startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                throw new SandboxUnavailableException(SandboxUnavailableException.CONTAINER_START_FAILED,
                        "the engine could not start the sandbox container on runtime " + runtime + ": "
                                + EngineProbe.rootMessage(e), null, e);
            }
            // install, then import and execute with the import deadline each
            Duration deadline = Duration.ofSeconds(install + 2 * imp).plus(MARGIN);
            try (WaitContainerResultCallback wait = engine.client().waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
                wait.awaitStatusCode(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (DockerClientException e) {
                killed = true;
                LOG.warn("sandbox container {} exceeded its deadline of {}; killing it", shortId(id), deadline);
                kill(id);
            } catch (java.io.IOException e) {
                LOG.debug("closing the wait stream failed", e);
            }
            InspectContainerResponse.ContainerState state = engine.client().inspectContainerCmd(id).exec().getState();
            Long exit = state.getExitCodeLong();
            String tail = exit != null && exit == 0 ? "" : logTail(id);
            return new Outcome(exit, Boolean.TRUE.equals(state.getOOMKilled()), killed,
                    (System.nanoTime() - start) / 1_000_000, tail);
        } catch (RuntimeException e) {
            throw new SandboxUnavailableException(SandboxUnavailableException.ENGINE_FAILED,
                    "the engine failed while the sandbox container ran: " + EngineProbe.rootMessage(e), null, e);
        } finally {
            remove(id);
        }
    }

    /** Artifacts already allowed go in read-only at /deps; the init installs dependencies from there and nowhere else. */
    private static List<Bind> binds(Path helpers, Path inputDir, Path outDir, Path dependenciesOrNull) {
        List<Bind> binds = new java.util.ArrayList<>(List.of(
                new Bind(helpers.toString(), new Volume("/opt/airlock"), AccessMode.ro),
                new Bind(inputDir.toString(), new Volume("/in"), AccessMode.ro),
                new Bind(outDir.toString(), new Volume("/out"), AccessMode.rw)));
        if (dependenciesOrNull != null) {
            binds.add(new Bind(dependenciesOrNull.toString(), new Volume("/deps"), AccessMode.ro));
        }
        return binds;
    }

    /**
     * The package's own process cap, below the container's pids limit so that the limit is never what
     * stops a fork bomb: under runc half the limit; under gVisor far less, because every guest task
     * costs the sandbox several host threads and the sentry dies (Go's newosproc) when it cannot get one.
     */
    int maxProcesses(String runtime) {
        int limit = config.pidsLimitFor(runtime);
        int share = RuntimeChoice.GVISOR.equals(runtime) ? limit / 32 : limit / 2;
        return Math.max(16, Math.min(256, share));
    }

    /** The container's last output lines; best effort, because it only explains a failure already seen. */
    private String logTail(String id) {
        StringBuilder text = new StringBuilder();
        try (ResultCallback.Adapter<Frame> logs = engine.client().logContainerCmd(id).withStdOut(true).withStdErr(true)
                .withTail(LOG_TAIL).exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Frame frame) {
                        text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                })) {
            logs.awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("could not read the logs of {}: {}", shortId(id), e.getMessage());
        }
        return text.toString();
    }

    private void kill(String id) {
        try {
            engine.client().killContainerCmd(id).exec();
        } catch (RuntimeException e) {
            LOG.debug("kill of {} failed (it may have ended): {}", shortId(id), e.getMessage());
        }
    }

    void remove(String id) {
        try {
            engine.client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // Already gone.
        } catch (RuntimeException e) {
            LOG.warn("could not remove sandbox container {}: {} (the startup reaper will retry)", shortId(id), e.getMessage());
        }
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
