package dev.airlock.proxy.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request to the route that owns the longest matching path prefix. The exchange owns
 * the request from here on (retained once, released when answered).
 */
@ChannelHandler.Sharable
public final class RequestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestRouter.class);
    private final List<Route> routes;
    private final List<HttpExchange.ExchangeListener> listeners;

    private final TrustedProxies proxies;
    private final java.net.URI publicUrl;

    public RequestRouter(List<Route> routes, List<HttpExchange.ExchangeListener> listeners) {
        this(routes, listeners, TrustedProxies.nobody());
    }

    /** @param proxies reverse proxies whose forwarded headers name the client ({@code server.trustedProxies}) */
    public RequestRouter(List<Route> routes, List<HttpExchange.ExchangeListener> listeners, TrustedProxies proxies) {
        this(routes, listeners, proxies, null);
    }

    /** @param publicUrl the configured public URL, or null: where refusals tell people to look */
    public RequestRouter(List<Route> routes, List<HttpExchange.ExchangeListener> listeners, TrustedProxies proxies,
                         java.net.URI publicUrl) {
        this.proxies = proxies;
        this.publicUrl = publicUrl;
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        this.routes = List.copyOf(sorted);
        this.listeners = List.copyOf(listeners);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpExchange ex = new HttpExchange(ctx, request.retain(), listeners, proxies, publicUrl);
        DecoderResult dr = request.decoderResult();
        if (dr.isFailure()) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "malformed request: " + dr.cause().getMessage());
            return;
        }
        String path = ex.rawPath();
        for (Route r : routes) {
            if (owns(r.prefix(), path)) {
                try {
                    r.handle(ex);
                } catch (Exception e) {
                    LOG.warn("route {} failed on {} {}", r.prefix(), request.method(), request.uri(), e);
                    ex.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
                }
                return;
            }
        }
        ex.respondError(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path);
    }

    /** The path is under the prefix, or is the prefix without its trailing slash ({@code /ui} for {@code /ui/}). */
    static boolean owns(String prefix, String path) {
        return path.startsWith(prefix) || (prefix.length() == path.length() + 1 && prefix.endsWith("/")
                && prefix.startsWith(path));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
