package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.OverrideAction;
import dev.airlock.policy.PolicyAdmin;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@code POST} and {@code DELETE packages/{package}[/{version}]/override}: an admin's allow or block, audited. */
final class OverrideHandler {
    private final PolicyAdmin admin;
    private final PackageViews views;

    OverrideHandler(PolicyAdmin admin, PackageViews views) {
        this.admin = admin;
        this.views = views;
    }

    void set(AdminRequest req) {
        JsonNode body = req.jsonBody("{\"action\":\"allow\"|\"block\",\"reason\":\"...\"}");
        OverrideAction action = OverrideAction.parse(AdminRequest.text(body, "action"));
        String reason = AdminRequest.text(body, "reason");
        if (reason == null || reason.isBlank()) {
            throw ApiProblem.badRequest("a reason is required: {\"action\":\"" + action.id() + "\",\"reason\":\"...\"}");
        }
        Instant expires = AdminRequest.instant(AdminRequest.text(body, "expires"), "expires");
        PackageCoordinate c = req.version();
        PolicyAdmin.OverrideChange change = c == null
                ? admin.override(req.packageId(), action, reason, expires, req.identity())
                : admin.override(c, action, reason, expires, req.identity());
        answer(req, change);
    }

    void remove(AdminRequest req) {
        String reason = req.exchange().query("reason");
        PackageCoordinate c = req.version();
        PackageId id = req.packageId();
        Optional<PolicyAdmin.OverrideChange> removed = c == null ? admin.removeOverride(id, reason, req.identity())
                : admin.removeOverride(c, reason, req.identity());
        answer(req, removed.orElseThrow(() -> ApiProblem.notFound("no override on " + (c == null ? id : c))));
    }

    private void answer(AdminRequest req, PolicyAdmin.OverrideChange change) {
        PackageCoordinate c = req.version();
        Map<String, Object> body = c == null ? views.packageBody(req.packageId()) : views.versionBody(c, Optional.empty());
        if (c == null) {
            body.remove("feedRecords");
        }
        body.put("audit", change.audit());
        req.respond(body);
    }
}
