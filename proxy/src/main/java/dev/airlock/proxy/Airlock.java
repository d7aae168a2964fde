package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.metrics.AccessLogListener;
import dev.airlock.proxy.metrics.AirlockMetrics;
import dev.airlock.proxy.metrics.MetricsRoute;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.TrustedProxies;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.npm.AdvisoryMerger;
import dev.airlock.proxy.npm.NpmRoute;
import dev.airlock.proxy.npm.Packument;
import dev.airlock.proxy.http.RenderCache;
import dev.airlock.proxy.pypi.PypiRoute;
import dev.airlock.proxy.pypi.SimpleProject;
import dev.airlock.proxy.pypi.UploadTimes;
import dev.airlock.proxy.auth.ClientAuthRoute;
import dev.airlock.proxy.auth.ClientTokens;
import dev.airlock.proxy.store.ArtifactStore;
import dev.airlock.proxy.store.ArtifactStores;
import dev.airlock.proxy.tls.ServerTls;
import dev.airlock.proxy.upstream.MetadataCache;
import dev.airlock.proxy.upstream.UpstreamClient;
import dev.airlock.proxy.upstream.UpstreamProxies;
import dev.airlock.proxy.upstream.UpstreamTrust;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
    /** Per ecosystem: rendered documents are reused for seconds only, so this holds the hot ones. */
    private static final long RENDER_MEMORY = 48L * 1024 * 1024;
    private static final java.time.Duration RENDER_TTL = java.time.Duration.ofSeconds(5);
    private final AirlockConfig config;
    private final AirlockServer server;
    private final List<AutoCloseable> closeables;

    private final PolicySide policy;

    private Airlock(AirlockConfig config, AirlockServer server, List<AutoCloseable> closeables, PolicySide policy) {
        this.config = config;
        this.server = server;
        this.closeables = closeables;
        this.policy = policy;
    }

    /** The policy and analysis side; empty when started with another {@link PolicySide}. */
    public java.util.Optional<Firewall> firewall() {
        return policy instanceof Firewall f ? java.util.Optional.of(f) : java.util.Optional.empty();
    }

    /** Starts Airlock with the whole firewall (sandbox, analysis queue, policy, admin API and UI). */
    public static Airlock start(AirlockConfig config) throws IOException, InterruptedException {
        return start(config, Firewall::open);
    }

    /** Starts Airlock with the policy side {@code policy} opens in front of the registries. */
    public static Airlock start(AirlockConfig config, PolicySide.Opener policy) throws IOException, InterruptedException {
        return start(config, policy, false);
    }

    /**
     * Starts an analysis worker of a shared store ({@code bin/airlock worker}): the firewall with
     * analysis on, fetching what it analyses through the same verified store, and an HTTP port that
     * answers only {@code /healthz} and {@code /metrics} (no registries, no admin API).
     */
    public static Airlock startWorker(AirlockConfig config) throws IOException, InterruptedException {
        if (!config.store().shared()) {
            throw new dev.airlock.config.ConfigException("a worker needs the shared store: set store.url (postgresql://...)");
        }
        AirlockConfig worker = config.asWorker();
        return start(worker, (c, m, s, cl) -> Firewall.open(c, m, s, cl, "worker"), true);
    }

    private static Airlock start(AirlockConfig config, PolicySide.Opener policy, boolean worker)
            throws IOException, InterruptedException {
        Files.createDirectories(config.dataDir());
        List<AutoCloseable> closeables = new ArrayList<>();
        try {
            return wire(config, policy, closeables, worker);
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeAll(closeables);
            throw e;
        }
    }

    private static Airlock wire(AirlockConfig config, PolicySide.Opener opener, List<AutoCloseable> closeables,
                                boolean worker) throws IOException, InterruptedException {
        AirlockMetrics metrics = new AirlockMetrics();
        closeables.add(metrics);
        ExecutorService upstreamPool = Executors.newFixedThreadPool(
                Math.max(8, config.upstream().maxConcurrent()), daemonThreads("airlock-upstream"));
        closeables.add(upstreamPool::shutdownNow);
        ArtifactStore store = ArtifactStores.open(config, closeables);
        store.observe((key, hit) -> {
            String eco = key.startsWith("npm|") ? "npm" : "pypi";
            if (hit) {
                metrics.cacheHit(eco, "artifact");
            } else {
                metrics.cacheMiss(eco, "artifact");
            }
        });

        java.net.ProxySelector proxies = UpstreamProxies.of(config.upstream().proxy(), config.upstream().noProxy(),
                System.getenv()).orElse(null);
        javax.net.ssl.SSLContext upstreamTls = config.upstream().caFile() == null ? null
                : UpstreamTrust.withBundle(config.upstream().caFile());
        UpstreamClient pypiClient = new UpstreamClient("pypi", config.upstream(), upstreamPool, proxies, upstreamTls);
        pypiClient.observe((outcome, took) -> metrics.upstream("pypi", outcome, took));
        metrics.breaker("pypi", () -> pypiClient.breaker().getState().name().toLowerCase(java.util.Locale.ROOT));
        metrics.upstreamHealth(pypiClient::health);
        MetadataCache<SimpleProject> pages = new MetadataCache<>(pypiClient, PypiRoute.parser(config.pypiUpstream()),
                config.dataDir().resolve("metadata").resolve("pypi"), config.upstream().metadataTtl(), METADATA_MEMORY,
                Clock.systemUTC());
        observeCache(pages, metrics, "pypi");
        UpstreamClient npmClient = null;
        MetadataCache<Packument> packuments = null;
        if (config.npmUpstream() != null) {
            UpstreamClient c = new UpstreamClient("npm", config.upstream(), upstreamPool, proxies, upstreamTls);
            npmClient = c;
            c.observe((outcome, took) -> metrics.upstream("npm", outcome, took));
            metrics.breaker("npm", () -> c.breaker().getState().name().toLowerCase(java.util.Locale.ROOT));
            metrics.upstreamHealth(c::health);
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

        PolicySide policy = opener.open(config, metrics,
                new ProxyArtifactSource(config.pypiUpstream(), config.npmUpstream(), pages, packuments, store, upstreamPool),
                closeables);
        VerdictGate gate = policy.gate();
        if (worker) {
            return new Airlock(config, bind(config, routes, listeners, closeables), closeables, policy);
        }
        routes.addAll(policy.routes());

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
        ClientTokens clientTokens = ClientTokens.from(config.clients());
        routes.add(ClientAuthRoute.wrap(new PypiRoute(config.pypiUpstream(), config.pypiFileHosts(), pages, artifacts, gate, config.publicUrl(),
                new UploadTimes(config.pypiJsonBase(), pypiJson), new RenderCache(RENDER_MEMORY, RENDER_TTL)), clientTokens));
        if (packuments != null) {
            ExecutorService renderPool = Executors.newFixedThreadPool(
                    Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("airlock-render"));
            closeables.add(renderPool::shutdownNow);
            NpmRoute npm = new NpmRoute(config.npmUpstream(), packuments, artifacts, gate, config.publicUrl(),
                    new AdvisoryMerger(config.npmUpstream(), npmClient, policy.blockedAdvisories(), auditPool),
                    new RenderCache(RENDER_MEMORY, RENDER_TTL), renderPool);
            routes.add(ClientAuthRoute.wrap(npm, clientTokens));
            routes.add(ClientAuthRoute.wrap(npm.rootAttestations(), clientTokens));
        }

        return new Airlock(config, bind(config, routes, listeners, closeables), closeables, policy);
    }

    private static AirlockServer bind(AirlockConfig config, List<Route> routes, List<HttpExchange.ExchangeListener> listeners,
                                      List<AutoCloseable> closeables) throws IOException, InterruptedException {
        RequestRouter router = new RequestRouter(routes, listeners,
                TrustedProxies.of(config.server().trustedProxyBlocks()), config.publicUrl());
        ServerTls tls = null;
        if (config.server().tls().enabled()) {
            tls = ServerTls.load(config.server().tls().cert(), config.server().tls().key(),
                    config.server().tls().reloadInterval());
            closeables.add(tls);
        }
        return AirlockServer.bind(config.bind(), config.port(),
                new AirlockChannelInitializer(router, 64 * 1024 * 1024, AirlockChannelInitializer.DEFAULT_IDLE, tls));
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
        return URI.create((config.server().tls().enabled() ? "https" : "http") + "://127.0.0.1:" + port() + "/");
    }

    @Override
    public void close() {
        server.close();
        closeAll(closeables);
    }
}
