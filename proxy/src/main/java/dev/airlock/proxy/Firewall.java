package dev.airlock.proxy;

import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.proxy.admin.AdminApi;
import dev.airlock.proxy.metrics.AirlockMetrics;
import dev.airlock.proxy.metrics.MeteredAnalysisQueue;
import dev.airlock.proxy.metrics.MeteredSandbox;
import dev.airlock.sandbox.DockerSandbox;
import dev.airlock.sandbox.Sandbox;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firewall half of Airlock: sandbox, analyzer, persistent analysis queue and policy engine,
 * wired so that versions the proxy sees are analysed and their verdicts gate what it serves.
 */
public final class Firewall {
    private static final Logger LOG = LoggerFactory.getLogger(Firewall.class);
    private final Sandbox sandbox;
    private final PersistentAnalysisQueue queue;
    private final PolicyEngine engine;
    private final AdminApi adminApi;

    private Firewall(Sandbox sandbox, PersistentAnalysisQueue queue, PolicyEngine engine, AdminApi adminApi) {
        this.sandbox = sandbox;
        this.queue = queue;
        this.engine = engine;
        this.adminApi = adminApi;
    }

    static Firewall open(AirlockConfig config, AirlockMetrics metrics, ArtifactSource source, List<AutoCloseable> closeables)
            throws IOException {
        Sandbox sandbox = new MeteredSandbox(DockerSandbox.create(config.sandbox()), metrics);
        closeables.add(sandbox);
        if (!sandbox.available()) {
            // Fail closed: without dynamic analysis, never-seen versions stay pending until an engine appears or an admin decides.
            LOG.warn("SANDBOX UNAVAILABLE: {} -- dynamic analysis is off and new versions stay pending", sandbox.status());
        }
        Set<String> registryHosts = new HashSet<>();
        registryHosts.add(config.pypiUpstream().getHost());
        registryHosts.addAll(config.pypiFileHosts());
        if (config.npmUpstream() != null) {
            registryHosts.add(config.npmUpstream().getHost());
        }
        Analyzer analyzer = new Analyzer(sandbox, ArchiveLimits.defaults(), registryHosts);
        PersistentAnalysisQueue queue = new PersistentAnalysisQueue(config.dataDir().resolve("analysis"), config.analysis(),
                analyzer, source);
        closeables.add(queue);
        PolicyEngine engine = PolicyEngine.open(config, new MeteredAnalysisQueue(queue, metrics),
                (c, path) -> analyzer.analyzeStatic(path, c.ecosystem()));
        closeables.add(engine);
        metrics.verdicts(() -> versionCounts(engine));
        AdminApi api = new AdminApi(engine.admin(), engine.token(), c -> Optional.ofNullable(queue.result(c)), () -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("sandbox", Map.of("available", sandbox.available(), "status", sandbox.status(),
                    "runtime", config.sandbox().runtime()));
            s.put("analysisQueueDepth", queue.depth());
            return s;
        });
        closeables.add(api);
        return new Firewall(sandbox, queue, engine, api);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ? extends Number> versionCounts(PolicyEngine engine) {
        Object v = engine.admin().status().get("versions");
        return v instanceof Map ? (Map<String, ? extends Number>) v : Map.of();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public PolicyEngine engine() {
        return engine;
    }

    public AdminApi adminApi() {
        return adminApi;
    }

}
