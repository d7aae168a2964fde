package dev.airlock.proxy.cli;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.config.AirlockConfig;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.proxy.admin.AdminApi;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.Route;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The real policy engine (MapDB store in a temporary data dir) behind the real admin API, on the
 * real server; only the analysis queue is a double, so a test decides what the analysis says.
 */
public final class PolicyServer implements AutoCloseable {
    public final String token;
    public final PolicyEngine engine;
    private final Queue queue = new Queue();
    private final Map<PackageCoordinate, AnalysisResult> analyses = new ConcurrentHashMap<>();
    private final AdminApi api;
    private final AirlockServer server;

    public PolicyServer(Path dataDir, String token, Route... alongside) throws InterruptedException {
        this(dataDir, token, null, alongside);
    }

    /** With this policy (null: defaults) and the break-glass API beside the admin API. */
    public PolicyServer(Path dataDir, String token, dev.airlock.config.PolicyConfig policy, Route... alongside)
            throws InterruptedException {
        this.token = token;
        AirlockConfig config = new AirlockConfig(0, "127.0.0.1", dataDir, null, null, null, null, token, null,
                null, policy, null, null);
        this.engine = PolicyEngine.open(config, queue, null);
        this.api = new AdminApi(engine.admin(), engine.token(), c -> Optional.ofNullable(analyses.get(c)));
        List<Route> routes = new ArrayList<>(List.of(alongside));
        routes.add(api);
        routes.add(new dev.airlock.proxy.admin.BreakGlassApi(engine.breakGlass(), engine.token()));
        this.server = AirlockServer.bind("127.0.0.1", 0,
                new AirlockChannelInitializer(new RequestRouter(routes, List.of()), 16 * 1024 * 1024));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    /** Metadata names the version for the first time, published an hour ago: held and queued. */
    public Decision seeNewVersion(PackageCoordinate c) {
        return engine.gate().listed(c, Instant.now().minusSeconds(3600));
    }

    /** Metadata names a version published long ago: served after the name rules. */
    public Decision seeOldVersion(PackageCoordinate c) {
        return engine.gate().listed(c, Instant.parse("2020-01-01T00:00:00Z"));
    }

    /** The analysis of {@code c} finishes with this result, through the queue's result listener as in production. */
    public void analysisFinished(PackageCoordinate c, AnalysisResult result) {
        analyses.put(c, result);
        queue.listener.accept(c, result);
    }

    /** How many times the version was handed to the queue (a re-analysis is one more). */
    public long submissions(PackageCoordinate c) {
        return queue.submitted.stream().filter(c::equals).count();
    }

    public boolean submitted(PackageCoordinate c) {
        return queue.submitted.contains(c);
    }

    @Override
    public void close() {
        server.close();
        api.close();
        engine.close();
    }

    private static final class Queue implements AnalysisQueue {
        final List<PackageCoordinate> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile BiConsumer<PackageCoordinate, AnalysisResult> listener;

        @Override
        public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
            submitted.add(coordinate);
        }

        @Override
        public int depth() {
            return submitted.size();
        }

        @Override
        public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
            this.listener = l;
        }
    }
}
