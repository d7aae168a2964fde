package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.Durations;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminToken;
import dev.airlock.policy.BreakGlass;
import dev.airlock.policy.HoldExemption;
import dev.airlock.proxy.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Break-glass exemptions from the outbreak hold, beside the admin API and with its token:
 *
 * <pre>
 * GET    /api/v1/break-glass                                     the line and the exemptions in force
 * POST   /api/v1/break-glass/{eco}/{name}[/{version}]            {"duration": "4h", "reason": "..."}
 * DELETE /api/v1/break-glass/{eco}/{name}[/{version}]?reason=    ends one early
 * </pre>
 * Scoped npm names as {@code @scope%2fname} or {@code @scope/name}. Store writes run on a pool of
 * their own, never on the event loop ({@link AdminDispatch}).
 */
public final class BreakGlassApi implements dev.airlock.proxy.http.Route, AutoCloseable {
    public static final String PREFIX = "/api/v1/break-glass";
    private final BreakGlass breakGlass;
    private final AdminToken token;
    private final AdminDispatch dispatch;

    public BreakGlassApi(BreakGlass breakGlass, AdminToken token) {
        this.breakGlass = breakGlass;
        this.token = token;
        this.dispatch = new AdminDispatch(token, "admin-break-glass", 1);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        dispatch.handle(ex, this::route);
    }

    private void route(HttpExchange ex) {
        String rest = ex.rawPath().substring(PREFIX.length());
        List<String> seg = new ArrayList<>();
        for (String s : rest.split("/")) {
            if (!s.isEmpty()) {
                seg.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        if (seg.isEmpty()) {
            if (!ex.method().equals(HttpMethod.GET)) {
                ex.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only");
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("holdPublishedAfter", breakGlass.cutoff().orElse(null));
            body.put("exemptions", breakGlass.active().stream().map(BreakGlassApi::view).toList());
            ex.respondJson(HttpResponseStatus.OK, body);
            return;
        }
        Target t = target(seg);
        if (ex.method().equals(HttpMethod.POST)) {
            JsonNode req;
            try {
                req = HttpExchange.JSON.readTree(ex.bodyBytes());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("body must be JSON: {\"duration\": \"4h\", \"reason\": \"...\"}");
            }
            if (req == null || !req.path("duration").isTextual()) {
                throw new IllegalArgumentException("\"duration\" is required, e.g. \"4h\" or \"2d\"");
            }
            Duration d = Durations.parse(req.path("duration").asText());
            BreakGlass.Change c = breakGlass.grant(t.id(), t.version(), d, req.path("reason").asText(null),
                    token.identity());
            ex.respondJson(HttpResponseStatus.CREATED, Map.of("exemption", view(c.exemption()), "audit", c.audit(),
                    "changed", c.changed().size()));
        } else if (ex.method().equals(HttpMethod.DELETE)) {
            Optional<BreakGlass.Change> c = breakGlass.revoke(t.id(), t.version(), ex.query("reason"), token.identity());
            if (c.isEmpty()) {
                ex.respondError(HttpResponseStatus.NOT_FOUND, "no break-glass exemption for " + t.describe());
            } else {
                ex.respondJson(HttpResponseStatus.OK, Map.of("removed", view(c.get().exemption()), "audit", c.get().audit()));
            }
        } else {
            ex.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST or DELETE");
        }
    }

    private record Target(PackageId id, PackageCoordinate version) {
        String describe() {
            return version == null ? id.toString() : version.toString();
        }
    }

    private static Target target(List<String> seg) {
        if (seg.size() < 2) {
            throw new IllegalArgumentException("expected /api/v1/break-glass/{ecosystem}/{name}[/{version}]");
        }
        Ecosystem eco = Ecosystem.parse(seg.get(0));
        String name = seg.get(1);
        int next = 2;
        if (eco == Ecosystem.NPM && name.startsWith("@") && !name.contains("/")) {
            if (seg.size() < 3) {
                throw new IllegalArgumentException("scoped npm name '" + name + "' has no package part");
            }
            name = name + "/" + seg.get(2);
            next = 3;
        }
        if (seg.size() > next + 1) {
            throw new IllegalArgumentException("expected /api/v1/break-glass/{ecosystem}/{name}[/{version}]");
        }
        PackageId id = new PackageId(eco, name);
        return new Target(id, seg.size() == next + 1 ? id.version(seg.get(next)) : null);
    }

    private static Map<String, Object> view(HoldExemption e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", e.target());
        m.put("reason", e.reason());
        m.put("expires", e.expires());
        m.put("by", e.by());
        m.put("at", e.at());
        return m;
    }

    @Override
    public void close() {
        dispatch.close();
    }
}
