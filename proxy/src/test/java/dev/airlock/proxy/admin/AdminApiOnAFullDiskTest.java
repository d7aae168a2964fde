package dev.airlock.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.policy.store.StoreFullException;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.RequestRouter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy store refuses writes while the data disk is full (VerdictStoreOnAFullDiskTest). The
 * admin API must say so as what it is, a 503 with the store's message, not a 500 "internal error"
 * that reads like a bug: nothing was written and the same call works once space is freed.
 */
class AdminApiOnAFullDiskTest {
    @TempDir
    Path dir;

    @Test
    void aStoreThatIsFullAnswers503WithItsMessage() throws Exception {
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir, null, null, null, null, AdminApiTest.TOKEN, null, null, null,
                null, null);
        try (PolicyEngine engine = PolicyEngine.open(cfg, new AdminApiTest.Queue(), null);
             AdminApi api = new AdminApi(engine.admin(), engine.token(), c -> Optional.empty(), () -> {
                 throw new StoreFullException("Airlock's data disk is full (12 KiB left, 32768 KiB needed)");
             })) {
            AirlockServer server = AirlockServer.bind("127.0.0.1", 0,
                    new AirlockChannelInitializer(new RequestRouter(List.of(api), List.of()), 1 << 20));
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/api/v1/status"))
                        .header("Authorization", "Bearer " + AdminApiTest.TOKEN).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(r.body().contains("data disk is full"), r.body());
            } finally {
                server.close();
            }
        }
    }
}
