package dev.airlock.proxy.admin;

import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.PolicyAdmin;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET audit}: newest first; {@code next} is the {@code before=} of the next older page, null on the last one. */
final class AuditHandler {
    private final PolicyAdmin admin;

    AuditHandler(PolicyAdmin admin) {
        this.admin = admin;
    }

    void audit(AdminRequest req) {
        AuditQuery q = new AuditQuery(req.exchange().query("target"), req.exchange().query("actor"),
                req.exchange().query("action"), AdminRequest.instant(req.query("since"), "since"),
                AdminRequest.instant(req.query("until"), "until"), before(req), req.limit());
        AuditPage page = admin.audit(q);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", page.entries().size());
        body.put("entries", page.entries());
        body.put("next", page.next());
        req.respond(body);
    }

    private static Long before(AdminRequest req) {
        String b = req.query("before");
        if (b == null) {
            return null;
        }
        try {
            return Long.parseLong(b);
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("before must be an audit entry id (the next of the previous page), got '" + b + "'");
        }
    }
}
