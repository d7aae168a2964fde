package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.common.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The admin API seen from the command line: one call, one JSON answer, and every failure turned
 * into an {@link AdminException} carrying the exit code the CLI documents.
 */
final class AdminClient {
    static final ObjectMapper JSON = Json.MAPPER;
    private final HttpClient http;
    private final URI base;
    private final String token;

    AdminClient(URI base, String token) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.base = base;
        this.token = token;
    }

    URI base() {
        return base;
    }

    JsonNode get(String path) throws AdminException {
        return send(request(path).GET().timeout(Duration.ofSeconds(60)).build());
    }

    JsonNode post(String path, Object body) throws AdminException {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).timeout(Duration.ofSeconds(60)).build());
        } catch (IOException e) {
            throw new AdminException(AdminException.OTHER, "cannot encode the request: " + e.getMessage());
        }
    }

    JsonNode postBody(String path, String contentType, HttpRequest.BodyPublisher body, Duration timeout) throws AdminException {
        return send(request(path).header("Content-Type", contentType).POST(body).timeout(timeout).build());
    }

    JsonNode delete(String path) throws AdminException {
        return send(request(path).DELETE().timeout(Duration.ofSeconds(60)).build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve("api/v1/" + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", "airlock-admin-cli");
    }

    private JsonNode send(HttpRequest request) throws AdminException {
        HttpResponse<String> res;
        try {
            res = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new AdminException(AdminException.UNREACHABLE, "cannot reach Airlock at " + base + " ("
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")");
        } catch (HttpTimeoutException e) {
            throw new AdminException(AdminException.UNREACHABLE, "Airlock at " + base + " did not answer in time");
        } catch (IOException e) {
            throw new AdminException(AdminException.UNREACHABLE, "cannot talk to Airlock at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.OTHER, "interrupted");
        }
        JsonNode body = parse(res.body());
        int st = res.statusCode();
        if (st >= 200 && st < 300) {
            return body;
        }
        String message = body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + st;
        if (st == 401 || st == 403) {
            throw new AdminException(AdminException.UNAUTHORIZED, "the admin token was refused (" + st + "): " + message
                    + "\n  pass --token TOKEN or set AIRLOCK_ADMIN_TOKEN (the token is in <data-dir>/admin-token)");
        }
        if (st == 404) {
            throw new AdminException(AdminException.NOT_FOUND, "not found: " + message);
        }
        if (st == 400 || st == 422) {
            throw new AdminException(AdminException.USAGE, "Airlock refused the request: " + message);
        }
        throw new AdminException(AdminException.OTHER, "Airlock answered " + st + ": " + message);
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode().put("error", text.length() > 300 ? text.substring(0, 300) : text);
        }
    }
}
