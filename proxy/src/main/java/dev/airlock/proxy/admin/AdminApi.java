package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AdminToken;
import dev.airlock.policy.AnalysisLookup;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.OverrideAction;
import dev.airlock.policy.PolicyAdmin;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import dev.airlock.policy.feed.FeedRecord;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/v1/}: JSON in and out, {@code Authorization: Bearer <token>}
 * on every request. Work runs on a small pool of its own: store scans and feed imports must not
 * stall the event loop that serves installs.
 *
 * <pre>
 * GET    /api/v1/versions?state=&amp;ecosystem=&amp;limit=
 * GET    /api/v1/packages/{eco}/{name}
 * GET    /api/v1/packages/{eco}/{name}/{version}
 * POST   /api/v1/packages/{eco}/{name}[/{version}]/override   {"action","reason","expires"?}
 * DELETE /api/v1/packages/{eco}/{name}[/{version}]/override   (?reason= optional)
 * GET    /api/v1/packages/{eco}/{name}/{version}/downloads
 * GET    /api/v1/audit?target=&amp;actor=&amp;action=&amp;since=&amp;until=&amp;before=&amp;limit=   newest first, paged by next
 * POST   /api/v1/feeds/osv                                    OSV JSON, JSON array or zip
 * GET    /api/v1/status
 * </pre>
 * Scoped npm names are accepted as {@code @scope%2fname} or {@code @scope/name}.
 */
public final class AdminApi implements Route, AutoCloseable {
    public static final String PREFIX = "/api/v1/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final int DEFAULT_LIMIT = 1000;
    private static final int MAX_LIMIT = 100_000;

    private final PolicyAdmin admin;
    private final AdminToken token;
    private final AnalysisLookup analyses;
    private final Supplier<Map<String, Object>> extraStatus;
    private final ExecutorService pool;

    public AdminApi(PolicyAdmin admin, AdminToken token, AnalysisLookup analyses) {
        this(admin, token, analyses, Map::of);
    }

    /** @param extraStatus more numbers for {@code GET /api/v1/status} (cache sizes, uptime); must be cheap */
    public AdminApi(PolicyAdmin admin, AdminToken token, AnalysisLookup analyses, Supplier<Map<String, Object>> extraStatus) {
        this.admin = admin;
        this.token = token;
        this.analyses = analyses == null ? AnalysisLookup.none() : analyses;
        this.extraStatus = extraStatus == null ? Map::of : extraStatus;
        this.pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-api");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!token.matchesAuthorization(ex.header(HttpHeaderNames.AUTHORIZATION))) {
            HttpHeaders h = new DefaultHttpHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"airlock\"");
            byte[] body = "{\"error\":\"missing or wrong admin token (Authorization: Bearer <token>)\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.respond(HttpResponseStatus.UNAUTHORIZED, "application/json", body, h);
            return;
        }
        try {
            pool.execute(() -> dispatch(ex));
        } catch (RejectedExecutionException e) {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "admin API is shutting down");
        }
    }

    private void dispatch(HttpExchange ex) {
        try {
            route(ex);
        } catch (BadRequest e) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (NotFound e) {
            ex.respondError(HttpResponseStatus.NOT_FOUND, e.getMessage());
        } catch (MethodNotAllowed e) {
            ex.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, e.getMessage());
        } catch (IllegalArgumentException e) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (Exception e) {
            LOG.warn("admin API failed on {} {}", ex.method(), ex.rawPath(), e);
            ex.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private void route(HttpExchange ex) throws Exception {
        List<String> seg = segments(ex.rawPath().substring(PREFIX.length()));
        HttpMethod m = ex.method();
        if (seg.isEmpty()) {
            throw new NotFound("no such endpoint: " + ex.rawPath());
        }
        switch (seg.get(0)) {
            case "versions" -> {
                only(seg, 1, ex);
                need(m, HttpMethod.GET);
                versions(ex);
            }
            case "audit" -> {
                only(seg, 1, ex);
                need(m, HttpMethod.GET);
                audit(ex);
            }
            case "status" -> {
                only(seg, 1, ex);
                need(m, HttpMethod.GET);
                Map<String, Object> s = new LinkedHashMap<>(admin.status());
                s.putAll(extraStatus.get());
                ex.respondJson(HttpResponseStatus.OK, s);
            }
            case "feeds" -> {
                if (seg.size() != 2 || !seg.get(1).equals("osv")) {
                    throw new NotFound("no such endpoint: " + ex.rawPath());
                }
                need(m, HttpMethod.POST);
                importOsv(ex);
            }
            case "packages" -> packages(ex, seg);
            default -> throw new NotFound("no such endpoint: " + ex.rawPath());
        }
    }

    // ---------------------------------------------------------------- packages

    private void packages(HttpExchange ex, List<String> seg) throws Exception {
        if (seg.size() < 3) {
            throw new NotFound("expected /api/v1/packages/{ecosystem}/{name}[/{version}]");
        }
        Ecosystem eco = Ecosystem.parse(seg.get(1));
        int next = 3;
        String name = seg.get(2);
        if (eco == Ecosystem.NPM && name.startsWith("@") && !name.contains("/")) {
            if (seg.size() < 4) {
                throw new BadRequest("scoped npm name '" + name + "' has no package part (use @scope%2fname or @scope/name)");
            }
            name = name + "/" + seg.get(3);
            next = 4;
        }
        PackageId id = new PackageId(eco, name);
        List<String> rest = seg.subList(next, seg.size());
        HttpMethod m = ex.method();
        if (rest.isEmpty()) {
            need(m, HttpMethod.GET);
            packageView(ex, id);
        } else if (rest.size() == 1 && rest.get(0).equals("override")) {
            override(ex, id, null);
        } else if (rest.size() == 1) {
            need(m, HttpMethod.GET);
            versionView(ex, id.version(rest.get(0)));
        } else if (rest.size() == 2 && rest.get(1).equals("override")) {
            override(ex, id, id.version(rest.get(0)));
        } else if (rest.size() == 2 && rest.get(1).equals("downloads")) {
            need(m, HttpMethod.GET);
            downloads(ex, id.version(rest.get(0)));
        } else {
            throw new NotFound("no such endpoint: " + ex.rawPath());
        }
    }

    private void packageView(HttpExchange ex, PackageId id) {
        if (!admin.knows(id)) {
            throw new NotFound("Airlock knows no version of " + id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ecosystem", id.ecosystem().id());
        body.put("name", id.name());
        body.put("override", admin.override(id.toString()).map(AdminApi::overrideMap).orElse(null));
        List<Map<String, Object>> versions = new ArrayList<>();
        for (Verdict v : admin.versionsOf(id)) {
            versions.add(verdictMap(v));
        }
        body.put("versions", versions);
        body.put("feedRecords", admin.feedRecords(id).stream().map(r -> feedMap(r)).toList());
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    private void versionView(HttpExchange ex, PackageCoordinate c) {
        Optional<AdminOverride> own = admin.override(c.toString());
        Optional<AdminOverride> pkg = admin.override(c.packageId().toString());
        Optional<FeedRecord> feed = admin.feedRecord(c);
        Optional<AnalysisResult> analysis = lookup(c);
        boolean seen = admin.seen(c);
        if (!seen && own.isEmpty() && pkg.isEmpty() && feed.isEmpty() && analysis.isEmpty()) {
            throw new NotFound("Airlock has not seen " + c);
        }
        ex.respondJson(HttpResponseStatus.OK, versionBody(c, seen, own, pkg, feed, analysis));
    }

    private Map<String, Object> versionBody(PackageCoordinate c, boolean seen, Optional<AdminOverride> own,
                                            Optional<AdminOverride> pkg, Optional<FeedRecord> feed,
                                            Optional<AnalysisResult> analysis) {
        Map<String, Object> body = verdictMap(admin.version(c));
        body.put("seen", seen);
        body.put("override", own.or(() -> pkg).map(AdminApi::overrideMap).orElse(null));
        body.put("feedRecord", feed.map(AdminApi::feedMap).orElse(null));
        if (analysis.isPresent()) {
            AnalysisResult a = analysis.get();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("recommendation", a.recommendation() == null ? null : a.recommendation().verdict());
            summary.put("sha256", a.sha256());
            summary.put("staticMs", a.staticMs());
            summary.put("dynamicMs", a.dynamicMs());
            summary.put("findingCount", a.findings().size());
            body.put("analysis", summary);
            body.put("findings", a.findings());
            body.put("behavior", a.behavior());
        } else {
            body.put("analysis", null);
            body.put("findings", List.of());
            body.put("behavior", null);
        }
        body.put("analyses", fileAnalyses(c));
        body.put("infrastructureFailure", failureOf(c));
        return body;
    }

    /** One entry per analysed file: what the analysis of that file found and what the sandbox saw. */
    private List<Map<String, Object>> fileAnalyses(PackageCoordinate c) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, AnalysisResult> byFile;
        try {
            byFile = analyses.files(c);
        } catch (RuntimeException e) {
            LOG.warn("file analyses lookup failed for {}", c, e);
            return out;
        }
        for (Map.Entry<String, AnalysisResult> e : byFile.entrySet()) {
            AnalysisResult a = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", e.getKey().isEmpty() ? null : e.getKey());
            m.put("recommendation", a.recommendation() == null ? null : a.recommendation().verdict());
            m.put("sha256", a.sha256());
            m.put("sandbox", a.behavior() != null);
            m.put("staticMs", a.staticMs());
            m.put("dynamicMs", a.dynamicMs());
            m.put("findings", a.findings());
            m.put("behavior", a.behavior());
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> failureOf(PackageCoordinate c) {
        try {
            return analyses.failure(c).map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", f.at());
                m.put("job", f.job());
                m.put("cause", f.cause());
                m.put("detail", f.detail());
                m.put("attempt", f.attempt());
                return m;
            }).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("failure lookup failed for {}", c, e);
            return null;
        }
    }

    private Optional<AnalysisResult> lookup(PackageCoordinate c) {
        try {
            return analyses.find(c);
        } catch (RuntimeException e) {
            // The analysis summary decorates the view; the verdict is still worth showing without it.
            LOG.warn("analysis lookup failed for {}", c, e);
            return Optional.empty();
        }
    }

    private void override(HttpExchange ex, PackageId id, PackageCoordinate c) throws IOException {
        String who = token.identity();
        String target = c == null ? id.toString() : c.toString();
        PolicyAdmin.OverrideChange change;
        if (ex.method().equals(HttpMethod.POST)) {
            JsonNode req = jsonBody(ex);
            OverrideAction action = OverrideAction.parse(text(req, "action"));
            String reason = text(req, "reason");
            if (reason == null || reason.isBlank()) {
                throw new BadRequest("a reason is required: {\"action\":\"" + action.id() + "\",\"reason\":\"...\"}");
            }
            Instant expires = instant(text(req, "expires"), "expires");
            change = c == null ? admin.override(id, action, reason, expires, who)
                    : admin.override(c, action, reason, expires, who);
        } else if (ex.method().equals(HttpMethod.DELETE)) {
            String reason = ex.query("reason");
            Optional<PolicyAdmin.OverrideChange> removed = c == null ? admin.removeOverride(id, reason, who)
                    : admin.removeOverride(c, reason, who);
            change = removed.orElseThrow(() -> new NotFound("no override on " + target));
        } else {
            throw new MethodNotAllowed(ex.method() + " not allowed here (POST or DELETE)");
        }
        Map<String, Object> body;
        if (c == null) {
            body = new LinkedHashMap<>();
            body.put("ecosystem", id.ecosystem().id());
            body.put("name", id.name());
            body.put("override", admin.override(target).map(AdminApi::overrideMap).orElse(null));
            body.put("versions", admin.versionsOf(id).stream().map(AdminApi::verdictMap).toList());
        } else {
            body = versionBody(c, admin.seen(c), admin.override(c.toString()), admin.override(id.toString()),
                    admin.feedRecord(c), Optional.empty());
        }
        body.put("audit", change.audit());
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    private void downloads(HttpExchange ex, PackageCoordinate c) {
        int limit = limit(ex);
        var list = admin.downloads(c, limit);
        if (list.isEmpty() && !admin.seen(c)) {
            throw new NotFound("Airlock has not seen " + c);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ecosystem", c.ecosystem().id());
        body.put("name", c.name());
        body.put("version", c.version());
        body.put("count", list.size());
        body.put("downloads", list);
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    // ---------------------------------------------------------------- lists, audit, feeds

    private void versions(HttpExchange ex) {
        String s = ex.query("state");
        String e = ex.query("ecosystem");
        VerdictState state = s == null || s.isBlank() ? null : VerdictState.parse(s);
        Ecosystem eco = e == null || e.isBlank() ? null : Ecosystem.parse(e);
        List<Map<String, Object>> out = admin.versions(state, eco, limit(ex)).stream().map(AdminApi::verdictMap).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", out.size());
        body.put("versions", out);
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    /** Newest first; {@code next} is the {@code before=} of the next older page, null on the last one. */
    private void audit(HttpExchange ex) {
        AuditQuery q = new AuditQuery(ex.query("target"), ex.query("actor"), ex.query("action"),
                instant(ex.query("since"), "since"), instant(ex.query("until"), "until"), before(ex), limit(ex));
        AuditPage page = admin.audit(q);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", page.entries().size());
        body.put("entries", page.entries());
        body.put("next", page.next());
        ex.respondJson(HttpResponseStatus.OK, body);
    }

    private static Long before(HttpExchange ex) {
        String b = ex.query("before");
        if (b == null || b.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(b.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest("before must be an audit entry id (the next of the previous page), got '" + b + "'");
        }
    }

    private void importOsv(HttpExchange ex) {
        byte[] bytes = ex.bodyBytes();
        if (bytes.length == 0) {
            throw new BadRequest("empty body: send one OSV JSON record, a JSON array of them, or a zip");
        }
        MalwareFeed.ImportReport r;
        try {
            r = admin.importOsv(bytes, "api", token.identity());
        } catch (IOException e) {
            throw new BadRequest(e.getMessage());
        }
        ex.respondJson(HttpResponseStatus.OK, r.toMap());
    }

    // ---------------------------------------------------------------- JSON shapes

    /** One verdict, flat: what the CLI and the UI list. */
    static Map<String, Object> verdictMap(Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ecosystem", v.coordinate().ecosystem().id());
        m.put("name", v.coordinate().name());
        m.put("version", v.coordinate().version());
        m.put("state", v.state().id());
        m.put("reasons", v.reasons());
        m.put("decidedAt", v.decidedAt());
        m.put("decidedBy", v.decidedBy());
        m.put("firstSeen", v.firstSeen());
        m.put("publishedAt", v.publishedAt());
        m.put("analysisStage", v.analysisStage().name().toLowerCase(java.util.Locale.ROOT));
        m.put("analysisState", v.analysisState() == null ? null : v.analysisState().id());
        m.put("analysisReasons", v.analysisReasons());
        m.put("sha256", v.sha256());
        m.put("files", v.files());
        return m;
    }

    private static Map<String, Object> overrideMap(AdminOverride o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", o.target());
        m.put("scope", o.target().contains("@") && o.target().lastIndexOf('@') > o.target().indexOf(':') + 1
                ? "version" : "package");
        m.put("action", o.action().id());
        m.put("reason", o.reason());
        m.put("expires", o.expires());
        m.put("by", o.by());
        m.put("at", o.at());
        return m;
    }

    private static Map<String, Object> feedMap(FeedRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("summary", r.summary());
        m.put("modified", r.modified());
        return m;
    }

    // ---------------------------------------------------------------- parsing helpers

    /** Path segments, percent-decoded one by one so that {@code %2f} inside a scoped name survives the split. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                for (String part : QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8).split("/")) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            }
        }
        // "@scope%2fname" became "@scope", "name": the packages route joins a leading scope with its name.
        return out;
    }

    private static JsonNode jsonBody(HttpExchange ex) {
        byte[] b = ex.bodyBytes();
        if (b.length == 0) {
            throw new BadRequest("a JSON body is required: {\"action\":\"allow\"|\"block\",\"reason\":\"...\"}");
        }
        try {
            JsonNode n = HttpExchange.JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new BadRequest("the body is not valid JSON");
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(String text, String what) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text.trim()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new BadRequest(what + " must be an ISO-8601 instant like 2026-12-31T00:00:00Z, got '" + text + "'");
            }
        }
    }

    private static int limit(HttpExchange ex) {
        String l = ex.query("limit");
        if (l == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(l.trim());
            if (n < 1 || n > MAX_LIMIT) {
                throw new BadRequest("limit must be 1.." + MAX_LIMIT);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest("limit must be a number, got '" + l + "'");
        }
    }

    private static void only(List<String> seg, int size, HttpExchange ex) {
        if (seg.size() != size) {
            throw new NotFound("no such endpoint: " + ex.rawPath());
        }
    }

    private static void need(HttpMethod actual, HttpMethod expected) {
        if (!actual.equals(expected) && !(expected.equals(HttpMethod.GET) && actual.equals(HttpMethod.HEAD))) {
            throw new MethodNotAllowed(actual + " not allowed here (" + expected + ")");
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String m) {
            super(m);
        }
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String m) {
            super(m);
        }
    }

    private static final class MethodNotAllowed extends RuntimeException {
        MethodNotAllowed(String m) {
            super(m);
        }
    }
}
