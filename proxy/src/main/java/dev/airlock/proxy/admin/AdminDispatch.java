package dev.airlock.proxy.admin;

import dev.airlock.policy.AdminToken;
import dev.airlock.common.StorageUnavailableException;
import dev.airlock.proxy.http.HttpExchange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every admin route does before and around its own work: refuse a request without the
 * admin token (401, with the header that says how to send one), run the work on a small pool of
 * its own (store scans and imports must not stall the event loop that serves installs), and
 * answer what the work throws: {@link ApiProblem} with its status, a store that takes no writes
 * now (a full disk) with 503, a bad argument with 400,
 * anything else with 500 and a log line.
 */
final class AdminDispatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminDispatch.class);
    private static final byte[] UNAUTHORIZED =
            "{\"error\":\"missing or wrong admin token (Authorization: Bearer <token>)\"}".getBytes(StandardCharsets.UTF_8);

    private final AdminToken token;
    private final String name;
    private final ExecutorService pool;

    /** @param name the API's name in thread names and log lines */
    AdminDispatch(AdminToken token, String name, int threads) {
        this.token = token;
        this.name = name;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    void handle(HttpExchange ex, Consumer<HttpExchange> work) {
        if (!token.matchesAuthorization(ex.header(HttpHeaderNames.AUTHORIZATION))) {
            ex.respond(HttpResponseStatus.UNAUTHORIZED, "application/json", UNAUTHORIZED,
                    new DefaultHttpHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"airlock\""));
            return;
        }
        try {
            pool.execute(() -> run(ex, work));
        } catch (RejectedExecutionException e) {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "admin API is shutting down");
        }
    }

    private void run(HttpExchange ex, Consumer<HttpExchange> work) {
        try {
            work.accept(ex);
        } catch (ApiProblem e) {
            ex.respondError(e.status(), e.getMessage());
        } catch (StorageUnavailableException e) {
            // Nothing was written, and it is the disk or the shared database, not the request: say so,
            // and that a retry can work (policy's store and the analysis queue's file throw it).
            LOG.warn("{} refused {} {}: {}", name, ex.method(), ex.rawPath(), e.getMessage());
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} failed on {} {}", name, ex.method(), ex.rawPath(), e);
            ex.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
