package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.proxy.http.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * One admin API request with its path already matched: the exchange, the package or version the
 * path names (when it names one), the admin's identity, and the parsing every handler shares.
 */
final class AdminRequest {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    private final HttpExchange exchange;
    private final PackageId packageId;
    private final PackageCoordinate version;
    private final String identity;

    AdminRequest(HttpExchange exchange, PackageId packageId, PackageCoordinate version, String identity) {
        this.exchange = exchange;
        this.packageId = packageId;
        this.version = version;
        this.identity = identity;
    }

    HttpExchange exchange() {
        return exchange;
    }

    /** The package the path names (also for a version path). */
    PackageId packageId() {
        return packageId;
    }

    /** The version the path names, or null for a package path. */
    PackageCoordinate version() {
        return version;
    }

    /** Who is asking: the admin token's identity, recorded in audit lines. */
    String identity() {
        return identity;
    }

    String query(String name) {
        String v = exchange.query(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    void respond(Object body) {
        exchange.respondJson(HttpResponseStatus.OK, body);
    }

    int limit() {
        return intParam("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    }

    int intParam(String name, int dflt, int min, int max) {
        String l = query(name);
        if (l == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(l);
            if (n < min || n > max) {
                throw ApiProblem.badRequest(name + " must be " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest(name + " must be a number, got '" + l + "'");
        }
    }

    JsonNode jsonBody(String example) {
        byte[] b = exchange.bodyBytes();
        if (b.length == 0) {
            throw ApiProblem.badRequest("a JSON body is required: " + example);
        }
        try {
            JsonNode n = HttpExchange.JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw ApiProblem.badRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiProblem.badRequest("the body is not valid JSON");
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Instant instant(String text, String what) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text.trim()).toInstant();
            } catch (DateTimeParseException e2) {
                throw ApiProblem.badRequest(what + " must be an ISO-8601 instant like 2026-12-31T00:00:00Z, got '" + text + "'");
            }
        }
    }
}
