package dev.airlock.proxy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.Route;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * A running Airlock: every component wired from one configuration. Tests start one in-process
 * with {@link #start(AirlockConfig)}; {@code bin/airlock serve} does the same and waits.
 */
public final class Airlock implements AutoCloseable {
    private final AirlockConfig config;
    private final AirlockServer server;
    private final List<AutoCloseable> closeables;

    private Airlock(AirlockConfig config, AirlockServer server, List<AutoCloseable> closeables) {
        this.config = config;
        this.server = server;
        this.closeables = closeables;
    }

    public static Airlock start(AirlockConfig config) throws IOException, InterruptedException {
        Files.createDirectories(config.dataDir());
        List<AutoCloseable> closeables = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        List<HttpExchange.ExchangeListener> listeners = new ArrayList<>();
        routes.add(new HealthRoute());
        RequestRouter router = new RequestRouter(routes, listeners);
        AirlockServer server = AirlockServer.bind(config.bind(), config.port(),
                new AirlockChannelInitializer(router, 64 * 1024 * 1024));
        return new Airlock(config, server, closeables);
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
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Airlock.class).warn("close failed", e);
            }
        }
    }
}
