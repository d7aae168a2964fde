package dev.airlock.sandbox;

import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox on a Docker Engine. {@link #create} probes the engine once and never throws: without
 * an engine the sandbox reports itself unavailable and every {@link #run} fails with
 * {@link SandboxUnavailableException}, so the policy keeps new versions pending (fail closed).
 */
public final class DockerSandbox implements Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(DockerSandbox.class);

    private final SandboxConfig config;
    private final DockerEngine engine;
    private final EngineStatus engineStatus;

    private DockerSandbox(SandboxConfig config, DockerEngine engine, EngineStatus engineStatus) {
        this.config = config;
        this.engine = engine;
        this.engineStatus = engineStatus;
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
        return new DockerSandbox(effective, engine, status);
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
        return "sandbox ready: Docker " + engineStatus.version() + " at " + engine.host() + ", runtime "
                + config.runtime() + ", image " + imageTag();
    }

    /** The image this sandbox runs: {@code sandbox.image} or {@code airlock-sandbox:<version>}. */
    public String imageTag() {
        return config.image() != null ? config.image() : SandboxImage.defaultTag();
    }

    @Override
    public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        if (!available()) {
            throw new SandboxUnavailableException(engineStatus.problem());
        }
        throw new SandboxUnavailableException("sandbox runs are being built (issue 4)");
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
