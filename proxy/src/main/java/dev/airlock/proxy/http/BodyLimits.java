package dev.airlock.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * How large a request body each route may send, decided from the request line and headers
 * alone, before a byte of the body is buffered. Only the admin API takes large bodies (OSV
 * archives), and only with credentials: the token itself is checked later, off the event loop,
 * but a body without even an {@code Authorization} header is refused at once, since the admin
 * API would answer 401 after buffering it.
 */
public final class BodyLimits {
    /** What one request may send and the sentence that explains a refusal. */
    public record Limit(long bytes, String explanation) {
    }

    static final long NO_BODY = 8 * 1024;
    static final long UNAUTHENTICATED_ADMIN = 1024;
    static final long DEFAULT = 1024 * 1024;
    static final String ADMIN_PREFIX = "/api/v1/";
    static final String NPM_BULK_AUDIT = "/npm/-/npm/v1/security/advisories/bulk";

    private final Limit noBody;
    private final Limit adminAnonymous;
    private final Limit admin;
    private final Limit npmAudit;
    private final Limit other;

    /** @param adminBytes the largest body of an admin request that carries credentials (an OSV archive) */
    public BodyLimits(long adminBytes) {
        long small = Math.min(DEFAULT, adminBytes);
        this.noBody = new Limit(Math.min(NO_BODY, adminBytes),
                "a GET or HEAD request carries no body; at most " + Math.min(NO_BODY, adminBytes) + " bytes are accepted");
        this.adminAnonymous = new Limit(UNAUTHENTICATED_ADMIN, "the admin API reads a body larger than "
                + UNAUTHENTICATED_ADMIN + " bytes only with Authorization: Bearer <token>");
        this.admin = new Limit(adminBytes, "admin API request bodies are at most " + adminBytes + " bytes");
        this.npmAudit = new Limit(small, "an npm audit request body is at most " + small + " bytes");
        this.other = new Limit(small, "request bodies are at most " + small + " bytes here");
    }

    public Limit of(HttpRequest request) {
        HttpMethod m = request.method();
        if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
            return noBody;
        }
        String uri = request.uri();
        if (uri.startsWith(ADMIN_PREFIX)) {
            return request.headers().contains(HttpHeaderNames.AUTHORIZATION) ? admin : adminAnonymous;
        }
        if (path(uri).equals(NPM_BULK_AUDIT)) {
            return npmAudit;
        }
        return other;
    }

    private static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
