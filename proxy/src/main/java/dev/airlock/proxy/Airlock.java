package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.PolicyGate;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.metrics.AccessLogListener;
import dev.airlock.proxy.metrics.AirlockMetrics;
import dev.airlock.proxy.metrics.MetricsRoute;
import dev.airlock.proxy.ui.UiRoute;
import java.util.function.Function;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.TrustedProxies;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.npm.AdvisoryMerger;
import dev.airlock.proxy.npm.NpmRoute;
import dev.airlock.proxy.pypi.PypiRoute;
import dev.airlock.proxy.pypi.SimpleProject;
import dev.airlock.proxy.pypi.UploadTimes;
import dev.airlock.proxy.store.ArtifactStore;
import dev.airlock.proxy.upstream.MetadataCache;
import dev.airlock.proxy.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Airlock: every component wired from one configuration. Tests start one in-process
 * with {@link #start(AirlockConfig)}; {@code bin/airlock serve} does the same and waits.
 */
public final class Airlock implements AutoCloseable {
    private static final long METADATA_MEMORY = 64L * 1024 * 1024;
    private final AirlockConfig config;
    private final AirlockServer server;
    private final List<AutoCloseable> closeables;

    private final Firewall firewall;

    private Airlock(AirlockConfig config, AirlockServer server, List<AutoCloseable> closeables, Firewall firewall) {
        this.config = config;
        this.server = server;
        this.closeables = closeables;
        this.firewall = firewall;
    }

    /** The policy and analysis side; empty when started with a test gate. */
    public java.util.Optional<Firewall> firewall() {
        return java.util.Optional.ofNullable(firewall);
    }

    public static Airlock start(AirlockConfig config) throws IOException, InterruptedException {
        return start(config, null);
    }

    /**
     * Starts Airlock. With {@code testGate} null, the whole firewall is wired (sandbox, analysis
     * queue, policy, admin API and UI); with a gate, only the proxy runs in front of that gate
     * (tests that exercise the filtering machinery without policy).
     */
    public static Airlock start(AirlockConfig config, VerdictGate testGate) throws IOException, InterruptedException {
        Files.createDirectories(config.dataDir());
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            return wire(config, testGate, closeables);
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(closeables);
            throw e;
        }
    }

    private static Airlock wire(AirlockConfig config, VerdictGate testGate, List<AutoCloseable> closeables)
            throws IOException, InterruptedException {
        AirlockMetrics metrics = new AirlockMetrics();
        closeables.add(metrics);
        ExecutorService upstreamPool = Executors.newFixedThreadPool(
                Math.max(8, config.upstream().maxConcurrent()), daemonThreads("airlock-upstream"));
        closeables.add(upstreamPool::shutdownNow);
        ArtifactStore store = new ArtifactStore(config.dataDir());
        store.observe((key, hit) -> {
            String eco = key.startsWith("npm|") ? "npm" : "pypi";
            if (hit) {
                metrics.cacheHit(eco, "artifact");
            } else {
                metrics.cacheMiss(eco, "artifact");
            }
        });

        UpstreamClient pypiClient = new UpstreamClient("pypi", config.upstream(), upstreamPool);
        pypiClient.observe((outcome, took) -> metrics.upstream("pypi", outcome, took));
        metrics.breaker("pypi", () -> pypiClient.breaker().getState().name().toLowerCase(java.util.Locale.ROOT));
        MetadataCache<SimpleProject> pages = new MetadataCache<>(pypiClient, PypiRoute.parser(config.pypiUpstream()),
                config.dataDir().resolve("metadata").resolve("pypi"), config.upstream().metadataTtl(), METADATA_MEMORY,
                Clock.systemUTC());
        observeCache(pages, metrics, "pypi");
        UpstreamClient npmClient = null;
        MetadataCache<JsonNode> packuments = null;
        if (config.npmUpstream() != null) {
            UpstreamClient c = new UpstreamClient("npm", config.upstream(), upstreamPool);
            npmClient = c;
            c.observe((outcome, took) -> metrics.upstream("npm", outcome, took));
            metrics.breaker("npm", () -> c.breaker().getState().name().toLowerCase(java.util.Locale.ROOT));
            packuments = new MetadataCache<>(npmClient, NpmRoute::parsePackument,
                    config.dataDir().resolve("metadata").resolve("npm"), config.upstream().metadataTtl(), METADATA_MEMORY,
                    Clock.systemUTC());
            observeCache(packuments, metrics, "npm");
        }

        List<Route> routes = new ArrayList<>();
        List<HttpExchange.ExchangeListener> listeners = new ArrayList<>();
        routes.add(new HealthRoute());
        routes.add(new MetricsRoute(metrics));
        listeners.add(new AccessLogListener(metrics, config.logFormat()));

        VerdictGate gate;
        Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> advisories = request -> Map.of();
        Firewall firewall = null;
        if (testGate == null) {
            firewall = Firewall.open(config, metrics,
                    new ProxyArtifactSource(config.pypiUpstream(), config.npmUpstream(), pages, packuments, store, upstreamPool),
                    closeables);
            gate = firewall.engine().gate();
            PolicyGate policyGate = firewall.engine().gate();
            advisories = policyGate::advisories;
            routes.add(firewall.adminApi());
            routes.add(new UiRoute());
        } else {
            gate = testGate;
        }

        // npm audit's own advisories read a verdict per named version: off the event loops (the
        // hand-off queue is lock-free; AdvisoryMerger bounds how many wait).
        ExecutorService auditPool = new java.util.concurrent.ThreadPoolExecutor(2, 2, 0,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedTransferQueue<>(),
                daemonThreads("airlock-audit"));
        closeables.add(auditPool::shutdownNow);
        ArtifactService artifacts = new ArtifactService(store, gate, upstreamPool);
        MetadataCache<JsonNode> pypiJson = new MetadataCache<>(pypiClient, UploadTimes.parser(),
                config.dataDir().resolve("metadata").resolve("pypi-json"), config.upstream().metadataTtl(), METADATA_MEMORY,
                Clock.systemUTC());
        routes.add(new PypiRoute(config.pypiUpstream(), config.pypiFileHosts(), pages, artifacts, gate, config.publicUrl(),
                new UploadTimes(config.pypiJsonBase(), pypiJson)));
        if (packuments != null) {
            routes.add(new NpmRoute(config.npmUpstream(), packuments, artifacts, gate, config.publicUrl(),
                    new AdvisoryMerger(config.npmUpstream(), npmClient, advisories, auditPool)));
        }

        RequestRouter router = new RequestRouter(routes, listeners,
                TrustedProxies.of(config.server().trustedProxyBlocks()));
        AirlockServer server = AirlockServer.bind(config.bind(), config.port(),
                new AirlockChannelInitializer(router, 64 * 1024 * 1024));
        return new Airlock(config, server, closeables, firewall);
    }

    private static void observeCache(MetadataCache<?> cache, AirlockMetrics metrics, String ecosystem) {
        cache.observe(hit -> {
            if (hit) {
                metrics.cacheHit(ecosystem, "metadata");
            } else {
                metrics.cacheMiss(ecosystem, "metadata");
            }
        });
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Airlock.class).warn("close failed", e);
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public AirlockConfig config() {
        return config;
    }

    public int port() {
        return server.port();
    }

    /** The loopback base URL, for tests and the startup banner. */
    public URI localUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    @Override
    public void close() {
        server.close();
        closeAll(closeables);
    }
}
