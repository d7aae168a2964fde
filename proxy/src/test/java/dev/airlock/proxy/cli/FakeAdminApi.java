package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small in-memory server speaking the admin API of issue 3, for the CLI tests: it lets the
 * tests check exactly what the CLI sends (paths, bodies, token) and how it prints each answer,
 * independent of the policy store. It runs on the real Netty server and router.
 */
public final class FakeAdminApi implements Route, AutoCloseable {
    public final String token;
    public final Map<String, ObjectNode> versions = new ConcurrentHashMap<>();
    public final List<ObjectNode> audit = new CopyOnWriteArrayList<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();
    public volatile byte[] lastFeedBody;
    public volatile String lastFeedType;
    public volatile String lastAuditQuery;
    /** What the fake answers as the audit page's {@code next}; null: the last page. */
    public volatile Long auditNext;
    private final AirlockServer server;

    /** @param alongside other routes served by the same server (the UI, for the browser test) */
    public FakeAdminApi(String token, Route... alongside) throws InterruptedException {
        this.token = token;
        List<Route> routes = new ArrayList<>(List.of(alongside));
        routes.add(this);
        this.server = AirlockServer.bind("127.0.0.1", 0,
                new AirlockChannelInitializer(new RequestRouter(routes, List.of()), 16 * 1024 * 1024));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    public ObjectNode put(String ecosystem, String name, String version, String state, String code, String message) {
        ObjectNode v = AdminClient.JSON.createObjectNode();
        v.put("ecosystem", ecosystem).put("name", name).put("version", version).put("state", state)
                .put("decidedBy", "analysis").put("decidedAt", Instant.now().toString())
                .put("firstSeen", Instant.now().minusSeconds(120).toString());
        v.putArray("reasons").addObject().put("code", code).put("message", message).put("source", "analysis");
        versions.put(ecosystem + ":" + name + "@" + version, v);
        return v;
    }

    @Override
    public String prefix() {
        return "/api/v1/";
    }

    @Override
    public void handle(HttpExchange ex) {
        requests.add(ex.method() + " " + ex.rawPath() + (ex.query("state") == null ? "" : "?state=" + ex.query("state")));
        if (!("Bearer " + token).equals(ex.header(HttpHeaderNames.AUTHORIZATION))) {
            ex.respondError(HttpResponseStatus.UNAUTHORIZED, "missing or wrong admin token");
            return;
        }
        String path = ex.rawPath().substring(prefix().length());
        String[] seg = path.split("/");
        for (int i = 0; i < seg.length; i++) {
            seg[i] = URLDecoder.decode(seg[i], StandardCharsets.UTF_8);
        }
        try {
            if (path.startsWith("versions")) {
                versionsList(ex);
            } else if (path.startsWith("audit")) {
                lastAuditQuery = ex.rawQuery();
                ObjectNode body = AdminClient.JSON.createObjectNode();
                body.putArray("entries").addAll(audit);
                if (auditNext != null) {
                    body.put("next", auditNext);
                } else {
                    body.putNull("next");
                }
                ex.respondJson(HttpResponseStatus.OK, body);
            } else if (path.equals("feeds/osv") && ex.method().equals(HttpMethod.POST)) {
                lastFeedBody = ex.bodyBytes();
                lastFeedType = ex.header(HttpHeaderNames.CONTENT_TYPE);
                ex.respondJson(HttpResponseStatus.OK, Map.of("records", 2, "blocked", 3));
            } else if (seg[0].equals("packages") && seg.length >= 3) {
                packages(ex, seg);
            } else {
                ex.respondError(HttpResponseStatus.NOT_FOUND, "no such endpoint");
            }
        } catch (IllegalArgumentException e) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
    }

    private void versionsList(HttpExchange ex) {
        String state = ex.query("state");
        String eco = ex.query("ecosystem");
        ArrayNode arr = AdminClient.JSON.createArrayNode();
        versions.values().stream()
                .filter(v -> state == null || v.get("state").asText().equals(state))
                .filter(v -> eco == null || v.get("ecosystem").asText().equals(eco))
                .forEach(arr::add);
        ObjectNode body = AdminClient.JSON.createObjectNode();
        body.set("versions", arr);
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    private void packages(HttpExchange ex, String[] seg) {
        Ecosystem eco = Ecosystem.parse(seg[1]);
        String name = seg[2];
        boolean override = seg[seg.length - 1].equals("override");
        boolean downloads = seg[seg.length - 1].equals("downloads");
        int plain = seg.length - (override || downloads ? 1 : 0);
        String version = plain == 4 ? seg[3] : null;
        String pkgKey = eco.id() + ":" + PackageCoordinate.of(eco, name, "0").name();
        if (override) {
            override(ex, pkgKey, version);
            return;
        }
        if (downloads) {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            body.putArray("downloads").addObject().put("at", "2026-11-26T10:00:00Z").put("clientAddress", "10.1.2.3")
                    .put("userAgent", "npm/10.8.2 node/v20").put("file", name + "-" + version + ".tgz");
            ex.respondJson(HttpResponseStatus.OK, body);
            return;
        }
        if (version == null) {
            List<ObjectNode> mine = new ArrayList<>();
            versions.forEach((k, v) -> {
                if (k.startsWith(pkgKey + "@")) {
                    mine.add(v);
                }
            });
            if (mine.isEmpty()) {
                ex.respondError(HttpResponseStatus.NOT_FOUND, "unknown package " + pkgKey);
                return;
            }
            ObjectNode body = AdminClient.JSON.createObjectNode().put("ecosystem", eco.id()).put("name", name);
            body.putArray("versions").addAll(mine);
            ex.respondJson(HttpResponseStatus.OK, body);
            return;
        }
        ObjectNode v = versions.get(pkgKey + "@" + version);
        if (v == null) {
            ex.respondError(HttpResponseStatus.NOT_FOUND, "unknown version " + pkgKey + "@" + version);
            return;
        }
        ex.respondJson(HttpResponseStatus.OK, v);
    }

    private void override(HttpExchange ex, String pkgKey, String version) {
        String target = version == null ? pkgKey : pkgKey + "@" + version;
        String action;
        String reason;
        if (ex.method().equals(HttpMethod.DELETE)) {
            action = "override_removed";
            reason = "";
        } else {
            ObjectNode req;
            try {
                req = (ObjectNode) AdminClient.JSON.readTree(ex.bodyBytes());
            } catch (Exception e) {
                throw new IllegalArgumentException("body must be JSON");
            }
            if (!req.hasNonNull("reason") || req.get("reason").asText().isBlank()) {
                throw new IllegalArgumentException("a reason is required");
            }
            action = "override_" + req.get("action").asText();
            reason = req.get("reason").asText();
        }
        String newState = action.equals("override_allow") ? "allowed" : action.equals("override_block") ? "blocked" : "quarantined";
        ObjectNode changed = null;
        String previous = null;
        for (Map.Entry<String, ObjectNode> e : versions.entrySet()) {
            if (e.getKey().equals(target) || (version == null && e.getKey().startsWith(pkgKey + "@"))) {
                previous = e.getValue().get("state").asText();
                e.getValue().put("state", newState).put("decidedBy", "admin:test");
                changed = e.getValue();
            }
        }
        if (changed == null) {
            ex.respondError(HttpResponseStatus.NOT_FOUND, "unknown " + target);
            return;
        }
        audit.add(AdminClient.JSON.createObjectNode().put("seq", audit.size() + 1).put("at", Instant.now().toString())
                .put("who", "admin").put("action", action).put("target", target).put("previousState", previous)
                .put("newState", newState).put("reason", reason));
        ex.respondJson(HttpResponseStatus.OK, changed);
    }

    @Override
    public void close() {
        server.close();
    }
}
