package dev.airlock.proxy;

import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.queue.StoredAnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.admin.AdminApi;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.metrics.AirlockMetrics;
import dev.airlock.proxy.metrics.MeteredAnalysisQueue;
import dev.airlock.proxy.metrics.MeteredSandbox;
import dev.airlock.proxy.npm.BlockedAdvisories;
import dev.airlock.proxy.admin.BreakGlassApi;
import dev.airlock.proxy.ui.UiRoute;
import dev.airlock.sandbox.DockerSandbox;
import dev.airlock.sandbox.Sandbox;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firewall half of Airlock: sandbox, analyzer, persistent analysis queue and policy engine,
 * wired so that versions the proxy sees are analysed and their verdicts gate what it serves.
 */
public final class Firewall implements PolicySide {
    private static final Logger LOG = LoggerFactory.getLogger(Firewall.class);
    private final Sandbox sandbox;
    private final DockerSandbox docker;
    private final StoredAnalysisQueue queue;
    private final PolicyEngine engine;
    private final AdminApi adminApi;
    private final BreakGlassApi breakGlass;
    private final BlockedAdvisories advisories;

    private Firewall(Sandbox sandbox, DockerSandbox docker, StoredAnalysisQueue queue, PolicyEngine engine,
                     AdminApi adminApi, BreakGlassApi breakGlass, BlockedAdvisories advisories) {
        this.sandbox = sandbox;
        this.docker = docker;
        this.queue = queue;
        this.engine = engine;
        this.adminApi = adminApi;
        this.breakGlass = breakGlass;
        this.advisories = advisories;
    }

    static Firewall open(AirlockConfig config, AirlockMetrics metrics, ArtifactSource source, List<AutoCloseable> closeables)
            throws IOException {
        return open(config, metrics, source, closeables, "serve");
    }

    /** @param role {@code serve} (a proxy) or {@code worker} (analysis only), as the shared store's nodes table names it */
    static Firewall open(AirlockConfig config, AirlockMetrics metrics, ArtifactSource source, List<AutoCloseable> closeables,
                         String role) throws IOException {
        if (config.store().shared() && "serve".equals(role) && config.adminToken() == null) {
            // A token generated per node would differ between the nodes behind one Service.
            throw new dev.airlock.config.ConfigException("a shared store (store.url) needs adminToken (--admin-token or "
                    + "AIRLOCK_ADMIN_TOKEN), the same on every node");
        }
        boolean analysing = config.analysis().enabled();
        // A proxy that leaves analysis to the workers needs no container engine and probes none.
        DockerSandbox docker = analysing ? DockerSandbox.create(config.sandbox()) : null;
        Sandbox sandbox = new MeteredSandbox(docker != null ? docker : new NoLocalSandbox(), metrics);
        if (docker != null && docker.warning() != null) {
            LOG.warn("SANDBOX: {}", docker.warning());
        }
        closeables.add(sandbox);
        boolean requireSandbox = config.analysis().requireSandbox();
        if (!analysing) {
            LOG.info("analysis.enabled is off: this node queues new versions for the workers of the shared store");
        } else if (!sandbox.available()) {
            if (requireSandbox) {
                // Fail closed: without dynamic analysis, new versions stay pending until an engine appears or an admin decides.
                LOG.warn("SANDBOX UNAVAILABLE: {} -- new versions stay pending (sandbox_unavailable) until an engine answers",
                        sandbox.status());
            } else {
                LOG.warn("SANDBOX UNAVAILABLE: {} -- analysis.requireSandbox is off: new versions are RELEASED ON STATIC "
                        + "ANALYSIS ALONE", sandbox.status());
            }
        }
        Set<String> registryHosts = new HashSet<>();
        registryHosts.add(config.pypiUpstream().getHost());
        registryHosts.addAll(config.pypiFileHosts());
        if (config.npmUpstream() != null) {
            registryHosts.add(config.npmUpstream().getHost());
        }
        Analyzer analyzer = new Analyzer(sandbox, ArchiveLimits.defaults(), registryHosts);
        Stores stores = Stores.open(config, analyzer, source, role, closeables, () -> !requireSandbox || sandbox.available());
        StoredAnalysisQueue queue = stores.queue();
        PolicyEngine engine;
        try {
            engine = PolicyEngine.open(config, stores.store(), new MeteredAnalysisQueue(queue, metrics),
                    (c, path) -> analyzer.analyzeStatic(path, c.ecosystem()), java.time.Clock.systemUTC(),
                    PolicyEngine.FEED_POLL_MS);
        } catch (RuntimeException e) {
            stores.store().close();
            throw e;
        }
        closeables.add(engine);
        // Side paths: the metric and the overview's history of failures by cause.
        queue.onInfrastructureFailure(f -> {
            metrics.infrastructureFailure(f.job().substring(0, Math.max(0, f.job().indexOf(':'))), f.cause());
            engine.admin().history().count("failures." + f.cause(), 1);
        });
        if (!stores.shared()) {
            // The shared store records a result and its verdict in one transaction: nothing to replay.
            replayInBackground(queue, engine);
        }
        // Read off the serving path by a timer: a down engine's probe may take seconds.
        engine.gate().analysisAvailability(stores.analysedSomewhere(), 2_000);
        metrics.verdicts(() -> versionCounts(engine));
        AdminApi api = new AdminApi(engine.admin(), engine.token(), new QueueLookup(queue), () -> {
            Map<String, Object> s = new LinkedHashMap<>();
            Map<String, Object> sb = new LinkedHashMap<>();
            sb.put("available", sandbox.available());
            sb.put("status", sandbox.status());
            sb.put("runtime", docker == null ? null : docker.runtime());
            sb.put("runtimeSetting", config.sandbox().runtime());
            sb.put("warning", docker == null ? null : docker.warning());
            sb.put("cause", docker == null ? "analysis_on_workers" : docker.unavailableCause());
            sb.put("requireSandbox", requireSandbox);
            sb.put("newVersions", newVersionsLine(sandbox.available(), requireSandbox));
            s.put("sandbox", sb);
            s.put("analysisQueueDepth", queue.depth());
            s.put("store", stores.shared() ? "shared (" + dev.airlock.config.StoreConfig.redacted(config.store().url()) + ")" : "embedded");
            s.put("analysing", analysing);
            s.put("analysisWaitingForSandbox", queue.waitingForSandbox());
            s.put("upstreams", metrics.upstreamHealth());
            s.put("infrastructureFailures", Map.of("byCause", queue.failureCounts(), "recent", queue.recentFailures(20)));
            return s;
        });
        closeables.add(api);
        BreakGlassApi breakGlass = new BreakGlassApi(engine.breakGlass(), engine.token());
        closeables.add(breakGlass);
        return new Firewall(sandbox, docker, queue, engine, api, breakGlass,
                new BlockedAdvisories(engine.gate()::evaluate, config.publicUrl()));
    }

    /** Results the queue committed that policy never recorded (a crash in between) are recorded now. */
    private static void replayInBackground(StoredAnalysisQueue queue, PolicyEngine engine) {
        Thread t = new Thread(() -> {
            try {
                int n = queue.replay(engine.gate()::lacksFullAnalysis, engine.gate()::onAnalysisResult);
                if (n > 0) {
                    LOG.info("recorded {} analysis result(s) that the last run stored but did not turn into verdicts", n);
                }
            } catch (RuntimeException e) {
                LOG.error("replaying stored analysis results failed; affected versions stay pending", e);
            }
        }, "analysis-replay");
        t.setDaemon(true);
        t.start();
    }

    /** What the sandbox state means for a version never seen before, right now: the status view's first line. */
    static String newVersionsLine(boolean sandboxAvailable, boolean requireSandbox) {
        if (sandboxAvailable) {
            return "new versions are held until their static and sandbox analysis finish";
        }
        return requireSandbox
                ? "no sandbox: new versions stay pending (sandbox_unavailable) until an engine answers"
                : "no sandbox and analysis.requireSandbox is off: new versions are released on static analysis alone";
    }

    /** The admin API's view of the analysis store: each file's result and the last infrastructure failure. */
    private record QueueLookup(StoredAnalysisQueue queue) implements dev.airlock.policy.AnalysisLookup {
        @Override
        public Optional<dev.airlock.analysis.AnalysisResult> find(dev.airlock.model.PackageCoordinate c) {
            return Optional.ofNullable(queue.result(c));
        }

        @Override
        public Map<String, dev.airlock.analysis.AnalysisResult> files(dev.airlock.model.PackageCoordinate c) {
            return queue.results(c);
        }

        @Override
        public Optional<dev.airlock.analysis.InfrastructureFailure> failure(dev.airlock.model.PackageCoordinate c) {
            return queue.lastFailure(c);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ? extends Number> versionCounts(PolicyEngine engine) {
        Object v = engine.admin().status().get("versions");
        return v instanceof Map ? (Map<String, ? extends Number>) v : Map.of();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** A warning about the sandbox's isolation for the startup banner (runc because gVisor is missing), or null. */
    public String sandboxWarning() {
        return docker == null ? null : docker.warning();
    }

    public PolicyEngine engine() {
        return engine;
    }

    public AdminApi adminApi() {
        return adminApi;
    }

    @Override
    public VerdictGate gate() {
        return engine.gate();
    }

    @Override
    public Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> blockedAdvisories() {
        return advisories;
    }

    @Override
    public List<Route> routes() {
        return List.of(adminApi, breakGlass, new UiRoute());
    }

}
