package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.PolicyAdmin;
import dev.airlock.policy.review.BulkAction;
import dev.airlock.policy.review.BulkResult;
import dev.airlock.policy.review.SelectionChanged;
import dev.airlock.policy.review.VersionPage;
import dev.airlock.policy.review.VersionQuery;
import dev.airlock.policy.review.VersionSort;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The review queue: {@code GET versions} (filtered, sorted, paged on the server),
 * {@code POST bulk} (one action with one reason on everything a filter selects) and
 * {@code POST packages/{package}/{version}/reanalyze}.
 */
final class ReviewHandler {
    static final List<String> FILTERS = List.of("state", "ecosystem", "reason", "rule", "name", "olderThan", "newerThan");
    private final PolicyAdmin admin;
    private final PackageViews views;

    ReviewHandler(PolicyAdmin admin, PackageViews views) {
        this.admin = admin;
        this.views = views;
    }

    /** {@code count} is this page's size, {@code total} the selection's, {@code next} the next page's offset or null. */
    void versions(AdminRequest req) {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String f : FILTERS) {
            String v = req.query(f);
            if (v != null) {
                filters.put(f, v);
            }
        }
        VersionQuery q = VersionQuery.of(filters);
        VersionSort sort = VersionSort.parse(req.query("sort") == null ? "-decidedAt" : req.query("sort"));
        int offset = req.intParam("offset", 0, 0, Integer.MAX_VALUE);
        VersionPage page = admin.page(q, sort, offset, req.limit());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", page.versions().size());
        body.put("total", page.total());
        body.put("offset", page.offset());
        body.put("next", page.next());
        body.put("sort", sort.toString());
        body.put("versions", page.versions().stream().map(AdminJson::verdict).toList());
        req.respond(body);
    }

    /**
     * Body {@code {"action", "where", "reason", "expires"?, "expect"?, "dryRun"?}}; {@code where}
     * is the CLI's {@code state=quarantined,reason=sandbox_error} text or an object of the same
     * filters. With {@code expect} the action runs only if the selection still holds that many
     * versions (409 otherwise); {@code dryRun} only counts.
     */
    void bulk(AdminRequest req) {
        JsonNode body = req.jsonBody("{\"action\":\"allow\"|\"block\"|\"reanalyze\",\"where\":\"state=quarantined,"
                + "reason=sandbox_error\",\"reason\":\"...\"}");
        BulkAction action = BulkAction.parse(AdminRequest.text(body, "action"));
        VersionQuery q = where(body.get("where"));
        if (body.path("dryRun").asBoolean(false)) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("action", action.id());
            out.put("selection", q.describe());
            out.put("count", admin.count(q));
            out.put("dryRun", true);
            req.respond(out);
            return;
        }
        String reason = AdminRequest.text(body, "reason");
        if (reason == null || reason.isBlank()) {
            throw ApiProblem.badRequest("a reason is required: it is recorded in every version's audit line");
        }
        JsonNode expect = body.get("expect");
        Integer expected = expect == null || expect.isNull() ? null : expect.asInt();
        BulkResult r;
        try {
            r = admin.bulk(q, action, reason, AdminRequest.instant(AdminRequest.text(body, "expires"), "expires"),
                    req.identity(), expected);
        } catch (SelectionChanged e) {
            throw ApiProblem.conflict(e.getMessage());
        }
        req.respond(r);
    }

    private static VersionQuery where(JsonNode where) {
        if (where == null || where.isNull()) {
            throw ApiProblem.badRequest("where is required (use \"where\":\"state=held\" to select every held version)");
        }
        if (where.isTextual()) {
            return VersionQuery.parse(where.asText());
        }
        if (!where.isObject()) {
            throw ApiProblem.badRequest("where must be text like \"state=quarantined,reason=sandbox_error\" or an object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = where.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
        return VersionQuery.of(fields);
    }

    /** Body {@code {"reason"}}: the verdict stays until the new result replaces it. */
    void reanalyze(AdminRequest req) {
        JsonNode body = req.jsonBody("{\"reason\":\"...\"}");
        AuditEntry line = admin.reanalyze(req.version(), AdminRequest.text(body, "reason"), req.identity());
        Map<String, Object> out = views.versionBody(req.version(), Optional.empty());
        out.put("audit", line);
        req.respond(out);
    }
}
