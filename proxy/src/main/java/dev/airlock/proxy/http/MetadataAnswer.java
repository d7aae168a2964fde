package dev.airlock.proxy.http;

import java.util.regex.Pattern;
import dev.airlock.common.Hashes;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * A filtered metadata document ready to send, with its own validator. ETags are computed over the
 * filtered body and name the representation (npm full vs abbreviated, PyPI HTML vs JSON) and the
 * encoding, because clients and caches must never mix them up.
 */
public final class MetadataAnswer {
    private static final Pattern ZERO_Q = Pattern.compile("0(\\.0*)?");
    /** Verdicts change: metadata may be reused briefly but must be revalidated soon. */
    private static final String CACHE_CONTROL = "public, max-age=30";
    private static final String VARY = "Accept, Accept-Encoding";
    private static final int GZIP_MIN = 1024;

    private final int length;
    private final String contentType;
    private final String etag;
    private final HttpHeaders extra;
    /**
     * The bodies as sent, in direct memory: a heap array would be copied into a direct buffer on
     * every write. Garbage-collected with this answer (JDK buffers), shared read-only by all writes.
     */
    private final ByteBuffer wire;
    private final HttpHeaders plainHeaders;
    private volatile ByteBuffer wireGzipped;
    private volatile HttpHeaders gzipHeaders;

    public MetadataAnswer(String representation, String contentType, byte[] body, HttpHeaders extra) {
        this(representation, contentType, body, extra, null);
    }

    /**
     * @param madeFrom everything the body is a function of (the upstream copy's digest, what was
     *                 kept, the base URL), or null: the validator is then a hash of the body. For a
     *                 10 MB document, hashing the body cost a quarter of a render.
     */
    public MetadataAnswer(String representation, String contentType, byte[] body, HttpHeaders extra, String madeFrom) {
        this.length = body.length;
        this.contentType = contentType;
        this.etag = "\"" + representation + "-" + (madeFrom == null ? shortHash(body)
                : Hashes.sha256Hex(madeFrom.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 24)) + "\"";
        this.extra = extra == null ? new DefaultHttpHeaders() : extra;
        this.wire = direct(body);
        this.plainHeaders = headers(etag, length, null);
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b.asReadOnlyBuffer();
    }

    /**
     * The headers every answer of this form carries, checked once here (with the validation any
     * header gets) and then copied per answer without checking again.
     */
    private HttpHeaders headers(String tag, int bodyLength, String encoding) {
        HttpHeaders checked = new DefaultHttpHeaders();
        checked.add(extra);
        checked.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        checked.set(HttpHeaderNames.CONTENT_LENGTH, bodyLength);
        if (encoding != null) {
            checked.set(HttpHeaderNames.CONTENT_ENCODING, encoding);
        }
        checked.set(HttpHeaderNames.ETAG, tag);
        checked.set(HttpHeaderNames.VARY, VARY);
        checked.set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        HttpHeaders h = ResponseHeaders.TRUSTED.newHeaders();
        h.add(checked);
        return h;
    }

    /** A copy of the body (tests; the serving path sends the direct buffer). */
    public byte[] body() {
        byte[] copy = new byte[length];
        wire.duplicate().get(copy);
        return copy;
    }

    public String etag() {
        return etag;
    }

    /**
     * Memory this answer may hold: its body, room for the gzipped form (JSON and HTML compress at
     * least 3:1), headers. The bodies are in direct memory, which the JVM caps at the heap's size.
     */
    public int weight() {
        return length + length / 3 + 512;
    }

    public void send(HttpExchange ex) {
        boolean gzip = length >= GZIP_MIN && acceptsGzip(ex.header(HttpHeaderNames.ACCEPT_ENCODING));
        if (gzip && wireGzipped == null) {
            gzip();
        }
        HttpHeaders h = gzip ? gzipHeaders : plainHeaders;
        String tag = h.get(HttpHeaderNames.ETAG);
        String inm = ex.header(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null && (inm.contains(tag) || inm.trim().equals("*"))) {
            HttpHeaders notModified = new DefaultHttpHeaders().add(h).remove(HttpHeaderNames.CONTENT_ENCODING)
                    .remove(HttpHeaderNames.CONTENT_TYPE).remove(HttpHeaderNames.CONTENT_LENGTH);
            ex.respond(HttpResponseStatus.NOT_MODIFIED, null, new byte[0], notModified);
            return;
        }
        ex.respondPrepared(HttpResponseStatus.OK, Unpooled.wrappedBuffer((gzip ? wireGzipped : wire).duplicate()), h);
    }

    private synchronized void gzip() {
        if (wireGzipped != null) {
            return;
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream(length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] gzipped = bos.toByteArray();
        gzipHeaders = headers(etag.substring(0, etag.length() - 1) + "-gz\"", gzipped.length, "gzip");
        wireGzipped = direct(gzipped);
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.trim().split(";");
            if (p[0].trim().equalsIgnoreCase("gzip")) {
                for (int i = 1; i < p.length; i++) {
                    String q = p[i].trim();
                    if (q.startsWith("q=") && ZERO_Q.matcher(q.substring(2).trim()).matches()) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** The first 12 bytes of the body's SHA-256, in hex. */
    private static String shortHash(byte[] body) {
        return Hashes.sha256Hex(body).substring(0, 24);
    }
}
