package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapdb.DB;
import org.mapdb.DBMaker;

/** The detector really fires: routes that block on purpose are caught, each with the call it made. */
class BlockingOnAnEventLoopIsCaughtTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Route route(String prefix, Runnable work) {
        return new Route() {
            @Override
            public String prefix() {
                return prefix;
            }

            @Override
            public void handle(HttpExchange ex) {
                work.run();
                ex.respond(HttpResponseStatus.OK, "text/plain", new byte[0], null);
            }
        };
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int status(AirlockServer server, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aSleepAndAMapDbCommitOnAnEventLoopAreEachRecordedAndFailTheRequest() throws Exception {
        BlockingCallRecorder.drain();
        DB db = DBMaker.memoryDB().transactionEnable().make();
        try (AirlockServer server = AirlockServer.bind("127.0.0.1", 0, new AirlockChannelInitializer(
                new RequestRouter(List.of(route("/sleep/", BlockingOnAnEventLoopIsCaughtTest::sleep),
                        route("/commit/", db::commit), route("/fine/", () -> { })), List.of()), 1 << 16))) {
            assertEquals(200, status(server, "/fine/"));
            assertTrue(BlockingCallRecorder.drain().isEmpty(), "a route that blocks nothing is not reported");
            assertNotEquals(200, status(server, "/sleep/"));
            List<Throwable> slept = BlockingCallRecorder.drain();
            // The client may retry the GET once the connection drops: every report is the sleep.
            assertFalse(slept.isEmpty());
            slept.forEach(t -> assertTrue(t.getMessage().contains("java.lang.Thread.sleep"), t.getMessage()));
            assertNotEquals(200, status(server, "/commit/"));
            List<Throwable> committed = BlockingCallRecorder.drain();
            assertFalse(committed.isEmpty());
            committed.forEach(t -> assertTrue(t.getMessage().contains("org.mapdb.DB#commit"), t.getMessage()));
        } finally {
            db.close();
        }
        // Off the event loop the same calls are fine.
        sleep();
        assertTrue(BlockingCallRecorder.drain().isEmpty());
    }
}
