package dev.airlock.proxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.RequestRouter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UiRouteTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern EXTERNAL = Pattern.compile("(src|href)=\"(https?:)?//", Pattern.CASE_INSENSITIVE);
    private static AirlockServer server;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = AirlockServer.bind("127.0.0.1", 0,
                new AirlockChannelInitializer(new RequestRouter(List.of(new UiRoute()), List.of()), 1 << 20));
        base = URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyFileOfTheUiIsAnAssetTheRouteServes() throws Exception {
        // The route reads its files once at start from a fixed list; a module missing from it is a 404 and a blank UI.
        java.util.Set<String> files = new java.util.TreeSet<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/ui"))) {
            s.forEach(p -> files.add(p.getFileName().toString()));
        }
        assertTrue(files.contains("app.js"), files.toString());
        assertEquals(files, new java.util.TreeSet<>(UiRoute.ASSETS));
    }

    @Test
    void servesTheIndexAndItsAssetsWithTheirContentTypes() throws Exception {
        HttpResponse<String> index = get("ui/");
        assertEquals(200, index.statusCode());
        assertEquals("text/html; charset=utf-8", index.headers().firstValue("content-type").orElseThrow());
        assertTrue(index.body().contains("<title>Airlock admin</title>"));
        assertEquals("text/javascript; charset=utf-8", get("ui/app.js").headers().firstValue("content-type").orElseThrow());
        assertEquals("text/css; charset=utf-8", get("ui/app.css").headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void loadsNothingFromAnotherOriginAndSaysSoInTheContentSecurityPolicy() throws Exception {
        HttpResponse<String> index = get("ui/");
        assertFalse(EXTERNAL.matcher(index.body()).find(), "no external script, style or link");
        String csp = index.headers().firstValue("content-security-policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && csp.contains("default-src 'none'"), csp);
        assertEquals("nosniff", index.headers().firstValue("x-content-type-options").orElseThrow());
        assertFalse(get("ui/app.js").body().contains("innerHTML"), "the script builds the DOM with textContent only");
    }

    @Test
    void redirectsTheBarePathAndRefusesAnythingOutsideTheAssets() throws Exception {
        HttpResponse<String> bare = get("ui");
        assertEquals(301, bare.statusCode());
        assertEquals("/ui/", bare.headers().firstValue("location").orElseThrow());
        assertEquals(404, get("ui/..%2f..%2fetc%2fpasswd").statusCode());
        assertEquals(404, get("ui/nope.js").statusCode());
        assertEquals(404, get("ui/../dev/airlock/proxy/Main.class").statusCode());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(base.resolve("ui/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
