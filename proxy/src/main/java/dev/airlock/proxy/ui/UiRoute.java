package dev.airlock.proxy.ui;

import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Serves the admin web UI's static files from the class path ({@code /ui/...} to
 * {@code ui/...} in the jar). The page itself holds no data: it calls the admin API with the
 * token the person typed, so serving these files needs no authentication. A strict Content
 * Security Policy allows scripts, styles and API calls from this origin only, which is also what
 * guarantees that nothing is loaded from a CDN.
 */
public final class UiRoute implements Route {
    private static final String PREFIX = "/ui/";
    private static final String ROOT = "ui/";
    /** Asset names are plain: no dot segments, no encoded characters, so no path can escape ui/. */
    private static final Pattern SAFE_NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9]+)+$");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /** Every file of the UI; a new asset must be named here (a class-path read is disk I/O, done once, not per request). */
    static final java.util.List<String> ASSETS = java.util.List.of("index.html", "app.css", "app.js",
            "api.js", "audit.js", "charts.js", "dom.js", "overview.js", "queue.js", "status.js", "version.js");

    private final Map<String, byte[]> assets;

    public UiRoute() {
        this(UiRoute.class.getClassLoader());
    }

    UiRoute(ClassLoader loader) {
        Map<String, byte[]> found = new java.util.HashMap<>();
        for (String name : ASSETS) {
            try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
                if (in != null) {
                    found.put(name, in.readAllBytes());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read the UI file " + name, e);
            }
        }
        this.assets = Map.copyOf(found);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
            ex.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, "the UI is read-only; use GET");
            return;
        }
        String path = ex.rawPath();
        if (path.equals("/ui")) {
            HttpHeaders h = new DefaultHttpHeaders().set(HttpHeaderNames.LOCATION, PREFIX);
            ex.respond(HttpResponseStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8", new byte[0], h);
            return;
        }
        String name = path.substring(PREFIX.length());
        if (name.isEmpty()) {
            name = "index.html";
        }
        Optional<byte[]> body = SAFE_NAME.matcher(name).matches() ? asset(name) : Optional.empty();
        if (body.isEmpty()) {
            ex.respondError(HttpResponseStatus.NOT_FOUND, "no such UI file: " + name);
            return;
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        HttpHeaders h = new DefaultHttpHeaders()
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("X-Frame-Options", "DENY")
                // Revalidate every time: a new Airlock version must never run against an old script.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        ex.respond(HttpResponseStatus.OK, TYPES.getOrDefault(ext, "application/octet-stream"), body.get(), h);
    }

    private Optional<byte[]> asset(String name) {
        return Optional.ofNullable(assets.get(name));
    }
}
