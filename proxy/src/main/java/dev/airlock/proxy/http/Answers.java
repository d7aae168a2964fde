package dev.airlock.proxy.http;

import dev.airlock.policy.Decision;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that turns a refusal into an HTTP answer. pip shows only the reason phrase, npm
 * the JSON {@code error}, yarn either, so every refusal carries the same sentence in an ASCII
 * reason phrase, the JSON body and {@code X-Airlock-Reason} (prefixed by its stable code).
 */
public final class Answers {
    public static final String REASON_HEADER = "X-Airlock-Reason";
    /** The stable reason code of a request body over its route's limit. */
    public static final String BODY_TOO_LARGE = "body_too_large";
    private static final int MAX_PHRASE = 300;

    private Answers() {
    }

    /**
     * 403 for a version policy does not serve. The sentence ends with where to look (the version's
     * page in the admin UI) and the request id, so the person who hit the block can hand both to
     * whoever runs Airlock; the reason phrase keeps that tail even when the reason is long.
     */
    public static void refused(HttpExchange ex, Decision d) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(REASON_HEADER, ascii(d.code() + ": " + d.message()));
        if (d.retryAfterSeconds() > 0) {
            h.set("Retry-After", Long.toString(d.retryAfterSeconds()));
        }
        h.set("Cache-Control", "no-store");
        ex.describe(ex.packageDescription(), d.code());
        String link = UiLink.of(ex);
        String tail = " - details: " + link + " (request " + ex.requestId() + ")";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", d.message() + tail);
        body.put("code", d.code());
        body.put("details", link);
        body.put("requestId", ex.requestId());
        String head = ascii(d.message());
        int room = MAX_PHRASE - tail.length();
        if (head.length() > room) {
            head = head.substring(0, Math.max(0, room - 3)) + "...";
        }
        send(ex, 403, head + tail, body, h);
    }

    /** An upstream or integrity failure (502/503/504): the reason says which, for the person reading the log. */
    public static void failed(HttpExchange ex, int status, String code, String message) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(REASON_HEADER, ascii(code + ": " + message));
        h.set("Cache-Control", "no-store");
        ex.describe(ex.packageDescription(), code);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code);
        body.put("requestId", ex.requestId());
        send(ex, status, message, body, h);
    }

    /**
     * Metadata could not be had from the upstream and no good copy was cached: its own status and
     * message when the upstream client explained it, else a 502 naming what was wanted.
     */
    public static void upstreamFailure(HttpExchange ex, Throwable err, String what) {
        Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (t instanceof dev.airlock.proxy.upstream.UpstreamException u) {
            failed(ex, u.status(), "upstream_error", u.getMessage());
        } else {
            org.slf4j.LoggerFactory.getLogger(Answers.class).warn("cannot get {}", what, t);
            failed(ex, 502, "upstream_error", "cannot get " + what + ": " + t.getClass().getSimpleName());
        }
    }

    /** A client mistake (400/404/405/413): standard phrase, clear JSON error. */
    public static void clientError(HttpExchange ex, HttpResponseStatus status, String message) {
        ex.respondError(status, message);
    }

    /**
     * 413 for a body refused before it was read (there is no exchange yet: the request was never
     * aggregated). Same shape as every refusal; the connection closes, so the answer says so.
     */
    public static FullHttpResponse bodyTooLarge(HttpRequest request, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", BODY_TOO_LARGE);
        String id = RequestId.from(request.headers().get(RequestId.HEADER));
        body.put("requestId", id);
        byte[] bytes;
        try {
            bytes = HttpExchange.JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            bytes = "{\"error\":\"request body too large\"}".getBytes(StandardCharsets.UTF_8);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(413, ascii(message)),
                request.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().set(REASON_HEADER, ascii(BODY_TOO_LARGE + ": " + message));
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.headers().set(RequestId.HEADER, id);
        HttpUtil.setContentLength(r, bytes.length);
        return r;
    }

    private static void send(HttpExchange ex, int status, String phrase, Map<String, Object> body, HttpHeaders h) {
        byte[] bytes;
        try {
            bytes = HttpExchange.JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            bytes = "{\"error\":\"refused\"}".getBytes(StandardCharsets.UTF_8);
        }
        ex.respond(new HttpResponseStatus(status, ascii(phrase)), "application/json", bytes, h);
    }

    /** Printable ASCII only: reason phrases and header values must never carry CR, LF or non-ASCII. */
    public static String ascii(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_PHRASE));
        for (int i = 0; i < s.length() && sb.length() < MAX_PHRASE; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : c == '\n' || c == '\t' || c == '\r' ? ' ' : '?');
        }
        return sb.toString().trim();
    }
}
