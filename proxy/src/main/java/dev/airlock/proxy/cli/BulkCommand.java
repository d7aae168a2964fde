package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code admin allow|block|reanalyze --where FILTERS --reason TEXT [--expires ISO] [--dry-run]}:
 * one action on every version the filters select. The selection is counted first and the action
 * sent with that count, so versions arriving in between are not touched unseen (the server
 * refuses with 409 and nothing changes).
 */
final class BulkCommand {
    private final AdminSession session;

    BulkCommand(AdminSession session) {
        this.session = session;
    }

    int run(String action, String where, String reason, String expires, boolean dryRun) throws AdminException {
        if (where == null || where.isBlank()) {
            throw AdminException.usage("--where needs filters, e.g. --where 'state=quarantined,reason=sandbox_error'");
        }
        AdminClient client = session.client();
        AdminOutput out = session.output();
        ObjectNode req = AdminClient.JSON.createObjectNode().put("action", action).put("where", where);
        if (dryRun) {
            req.put("dryRun", true);
            JsonNode body = client.post("bulk", req);
            if (out.json()) {
                return out.printJson(body);
            }
            out.println(body.path("count").asInt() + " version(s) match " + body.path("selection").asText()
                    + "; nothing changed (--dry-run)");
            return 0;
        }
        if (reason == null || reason.isBlank()) {
            throw AdminException.usage(action + " --where needs --reason TEXT (recorded in each version's audit line)");
        }
        JsonNode counted = client.post("bulk", AdminClient.JSON.createObjectNode().put("action", action)
                .put("where", where).put("dryRun", true));
        req.put("reason", reason).put("expect", counted.path("count").asInt());
        if (expires != null) {
            req.put("expires", expires);
        }
        JsonNode body = client.post("bulk", req);
        if (out.json()) {
            return out.printJson(body);
        }
        String done = switch (action) {
            case "allow" -> "allowed";
            case "block" -> "blocked";
            default -> "queued for re-analysis";
        };
        out.println(done + " " + body.path("count").asInt() + " version(s) matching " + body.path("selection").asText()
                + ": " + reason);
        return 0;
    }
}
