package dev.airlock.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    /** Verdicts change: metadata may be reused briefly but must be revalidated soon. */
    private static final String CACHE_CONTROL = "public, max-age=30";
    private static final String VARY = "Accept, Accept-Encoding";
    private static final int GZIP_MIN = 1024;

    private final byte[] body;
    private final String contentType;
    private final String etag;
    private final HttpHeaders extra;
    private volatile byte[] gzipped;

    public MetadataAnswer(String representation, String contentType, byte[] body, HttpHeaders extra) {
        this.body = body;
        this.contentType = contentType;
        this.etag = "\"" + representation + "-" + shortHash(body) + "\"";
        this.extra = extra == null ? new DefaultHttpHeaders() : extra;
    }

    public byte[] body() {
        return body;
    }

    public String etag() {
        return etag;
    }

    /** Heap this answer may take: its body, room for the gzipped form (JSON and HTML compress at least 3:1), headers. */
    public int weight() {
        return body.length + body.length / 3 + 512;
    }

    public void send(HttpExchange ex) {
        boolean gzip = body.length >= GZIP_MIN && acceptsGzip(ex.header(HttpHeaderNames.ACCEPT_ENCODING));
        String tag = gzip ? etag.substring(0, etag.length() - 1) + "-gz\"" : etag;
        HttpHeaders h = new DefaultHttpHeaders();
        h.add(extra);
        h.set(HttpHeaderNames.ETAG, tag);
        h.set(HttpHeaderNames.VARY, VARY);
        h.set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        String inm = ex.header(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null && (inm.contains(tag) || inm.trim().equals("*"))) {
            ex.respond(HttpResponseStatus.NOT_MODIFIED, null, new byte[0], h);
            return;
        }
        if (gzip) {
            h.set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
            ex.respond(HttpResponseStatus.OK, contentType, gzipped(), h);
        } else {
            ex.respond(HttpResponseStatus.OK, contentType, body, h);
        }
    }

    private byte[] gzipped() {
        byte[] g = gzipped;
        if (g == null) {
            ByteArrayOutputStream bos = new ByteArrayOutputStream(body.length / 4 + 64);
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                gz.write(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            g = bos.toByteArray();
            gzipped = g;
        }
        return g;
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
                    if (q.startsWith("q=") && q.substring(2).trim().matches("0(\\.0*)?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static String shortHash(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
