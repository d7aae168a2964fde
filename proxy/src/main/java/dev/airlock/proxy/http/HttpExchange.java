package dev.airlock.proxy.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.common.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request and the duty to answer it exactly once. Routes receive an exchange, may answer
 * later from another thread, and never touch the Netty request directly: the exchange releases
 * it when the answer is written, so no route can leak a buffer.
 */
public final class HttpExchange {
    /** Shared JSON mapper for API answers: ISO-8601 times, no indentation. */
    public static final ObjectMapper JSON = Json.MAPPER;

    private final ChannelHandlerContext ctx;
    private final FullHttpRequest request;
    private final QueryStringDecoder query;
    private final boolean keepAlive;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    private volatile int status;
    private volatile String decision = "-";
    private volatile String pkg = "-";
    private volatile String clientName;
    private final List<ExchangeListener> listeners;

    private final String clientAddress;
    private final boolean forwardedHttps;
    private final String requestId;
    private final java.net.URI publicUrl;

    /**
     * @param proxies   whose forwarded headers name the client; everyone else's are ignored
     * @param publicUrl the configured public URL ({@code publicUrl}), or null; refusals point at the UI there
     */
    public HttpExchange(ChannelHandlerContext ctx, FullHttpRequest request, List<ExchangeListener> listeners,
                        TrustedProxies proxies, java.net.URI publicUrl) {
        this.ctx = ctx;
        this.publicUrl = publicUrl;
        this.requestId = RequestId.from(request.headers().get(RequestId.HEADER));
        this.request = request;
        this.query = new QueryStringDecoder(request.uri());
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.listeners = listeners;
        ClientOf client = ClientOf.of(ctx.channel(), request.headers(), proxies);
        this.clientAddress = client.address();
        this.forwardedHttps = client.forwardedHttps();
    }

    public ChannelHandlerContext ctx() {
        return ctx;
    }

    public HttpMethod method() {
        return request.method();
    }

    /** The raw (still percent-encoded) path, without the query string. */
    public String rawPath() {
        return query.rawPath();
    }

    /** The raw query string without the {@code ?}, or empty. */
    public String rawQuery() {
        return query.rawQuery();
    }

    public String query(String name) {
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public Map<String, List<String>> queryParameters() {
        return query.parameters();
    }

    public HttpHeaders headers() {
        return request.headers();
    }

    public String header(CharSequence name) {
        return request.headers().get(name);
    }

    /** The request body; valid until the exchange is answered. */
    public ByteBuf body() {
        return request.content();
    }

    public byte[] bodyBytes() {
        return ByteBufUtil.getBytes(request.content());
    }

    /** The client: the socket peer, or whom a trusted reverse proxy forwarded for ({@link TrustedProxies}). */
    public String clientAddress() {
        return clientAddress;
    }

    /** True when a trusted reverse proxy says the client used https; false for everyone else's header. */
    public boolean forwardedHttps() {
        return forwardedHttps;
    }

    /** Sent back as {@code X-Request-Id} on every answer, and written to the access log. */
    public String requestId() {
        return requestId;
    }

    /** The configured public URL, or null when URLs are derived from each request. */
    public java.net.URI publicUrl() {
        return publicUrl;
    }

    /** True when this connection came in over Airlock's own TLS ({@code server.tls}). */
    public boolean tls() {
        return ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
    }

    /** The client identity a token named ({@code clients.tokens}), or null when anonymous. */
    public String clientName() {
        return clientName;
    }

    /** Marks the exchange with the identity its token proved. */
    public void identify(String name) {
        this.clientName = name;
    }

    public String userAgent() {
        String ua = header(HttpHeaderNames.USER_AGENT);
        return ua == null ? "" : ua;
    }

    public boolean isAnswered() {
        return answered.get();
    }

    public int status() {
        return status;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** What the access log and metrics record about this exchange: package and decision. */
    public void describe(String packageAndVersion, String decisionCode) {
        this.pkg = packageAndVersion;
        this.decision = decisionCode;
    }

    public String packageDescription() {
        return pkg;
    }

    public String decision() {
        return decision;
    }

    /** Claims the right to answer. Returns false if someone already answered (and then does nothing). */
    boolean claim(int statusCode) {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        this.status = statusCode;
        return true;
    }

    public void respond(HttpResponseStatus st, String contentType, byte[] body, HttpHeaders extra) {
        respond(st, contentType, Unpooled.wrappedBuffer(body), extra);
    }

    /** Answers with a body already in a buffer (owned by the response from here on: released once written). */
    public void respond(HttpResponseStatus st, String contentType, ByteBuf body, HttpHeaders extra) {
        int length = body.readableBytes();
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st, withoutBodyForHead(body));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (extra != null) {
            r.headers().add(extra);
        }
        HttpUtil.setContentLength(r, length);
        send(r);
    }

    /** The body, or nothing for a HEAD request (the body released). */
    private ByteBuf withoutBodyForHead(ByteBuf body) {
        if (request.method().equals(HttpMethod.HEAD)) {
            body.release();
            return Unpooled.EMPTY_BUFFER;
        }
        return body;
    }

    /**
     * Answers with headers prepared once for many answers, content type and length included (a copy
     * is sent: the exchange adds its own). The body is owned by the response from here on.
     */
    public void respondPrepared(HttpResponseStatus st, ByteBuf body, HttpHeaders prepared) {
        send(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st, withoutBodyForHead(body), prepared.copy(),
                ResponseHeaders.TRUSTED.newEmptyHeaders()));
    }

    public void respondJson(HttpResponseStatus st, Object value) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(value);
        } catch (Exception e) {
            body = ("{\"error\":\"cannot serialise answer\"}").getBytes(StandardCharsets.UTF_8);
            st = HttpResponseStatus.INTERNAL_SERVER_ERROR;
        }
        respond(st, "application/json", body, null);
    }

    public void respondText(HttpResponseStatus st, String text) {
        respond(st, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** A plain error: {@code {"error": message, "requestId": ...}} with the status's standard phrase. */
    public void respondError(HttpResponseStatus st, String message) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", message);
        body.put("requestId", requestId);
        respondJson(st, body);
    }

    /**
     * Writes a fully built response (headers and body). Used by routes that build their own
     * answer; the exchange adds keep-alive handling and releases the request.
     */
    public void send(FullHttpResponse response) {
        if (!claim(response.status().code())) {
            response.release();
            return;
        }
        response.headers().set(RequestId.HEADER, requestId);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(response);
        finish(f);
    }

    /**
     * For responses written in parts (files): the route has already claimed and written; this
     * completes the exchange once the last write finished.
     */
    public void finish(ChannelFuture lastWrite) {
        if (!keepAlive) {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
        release();
        for (ExchangeListener l : listeners) {
            try {
                l.completed(this);
            } catch (RuntimeException e) {
                // Side paths (access log, metrics) fail open: they must never break an answer.
                org.slf4j.LoggerFactory.getLogger(HttpExchange.class).warn("exchange listener failed", e);
            }
        }
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** Claims the exchange for a streamed answer; false if it was already answered. */
    public boolean claimStreaming(int statusCode) {
        return claim(statusCode);
    }

    private void release() {
        if (request.refCnt() > 0) {
            request.release();
        }
    }

    /** Observes finished exchanges (access log, metrics). Must not throw; failures are logged and ignored. */
    public interface ExchangeListener {
        void completed(HttpExchange exchange);
    }
}
