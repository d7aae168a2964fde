package dev.airlock.proxy;

import dev.airlock.proxy.http.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * The base URL written into rewritten metadata: the configured public URL, or what the client
 * used to reach us (its Host header, and https on Airlock's own TLS or when a trusted reverse proxy says so), so URLs
 * work from wherever the client stands.
 */
public final class PublicBase {
    /** host, host:port, [v6]:port: nothing that could smuggle a path or another URL. */
    private static final Pattern HOST = Pattern.compile("^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?$");

    private PublicBase() {
    }

    /** Hosts that passed {@link #HOST}: every request of a client names the same one. Cleared when full. */
    private static final java.util.Set<String> SANE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static boolean saneHost(String host) {
        if (SANE.contains(host)) {
            return true;
        }
        if (!HOST.matcher(host).matches()) {
            return false;
        }
        if (SANE.size() >= 256) {
            SANE.clear();
        }
        SANE.add(host);
        return true;
    }

    /** Always ends with {@code /}. */
    public static String of(HttpExchange ex, URI configured) {
        if (configured != null) {
            return configured.toString();
        }
        String host = ex.header(HttpHeaderNames.HOST);
        if (host == null || !saneHost(host)) {
            host = "127.0.0.1";
        }
        // The same rule as for the client address: only a trusted reverse proxy's X-Forwarded-Proto counts.
        String scheme = ex.forwardedHttps() || ex.tls() ? "https" : "http";
        return scheme + "://" + host + "/";
    }
}
