package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminArgs.flag;
import static dev.airlock.proxy.cli.AdminArgs.noMore;
import static dev.airlock.proxy.cli.AdminArgs.option;
import static dev.airlock.proxy.cli.AdminArgs.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code admin allow|block|reanalyze --where FILTERS --reason TEXT [--expires ISO] [--dry-run]}:
 * one action on every version the filters select. The selection is counted first and the action
 * sent with that count, so versions arriving in between are not touched unseen (the server
 * refuses with 409 and nothing changes).
 */
final class BulkCommand {
    private final AdminClient client;
    private final PrintStream out;
    private final boolean json;

    BulkCommand(AdminClient client, PrintStream out, boolean json) {
        this.client = client;
        this.out = out;
        this.json = json;
    }

    int run(String action, List<String> args) throws AdminException {
        String where = option(args, "--where");
        String reason = option(args, "--reason");
        String expires = option(args, "--expires");
        boolean dryRun = flag(args, "--dry-run");
        noMore(args);
        if (where == null || where.isBlank()) {
            throw usage("usage: --where needs filters, e.g. --where 'state=quarantined,reason=sandbox_error'");
        }
        ObjectNode req = AdminClient.JSON.createObjectNode().put("action", action).put("where", where);
        if (dryRun) {
            req.put("dryRun", true);
            JsonNode body = client.post("bulk", req);
            if (json) {
                return printJson(body);
            }
            out.println(body.path("count").asInt() + " version(s) match " + body.path("selection").asText()
                    + "; nothing changed (--dry-run)");
            return 0;
        }
        if (reason == null || reason.isBlank()) {
            throw usage("usage: " + action + " --where needs --reason TEXT (recorded in each version's audit line)");
        }
        JsonNode counted = client.post("bulk", AdminClient.JSON.createObjectNode().put("action", action)
                .put("where", where).put("dryRun", true));
        req.put("reason", reason).put("expect", counted.path("count").asInt());
        if (expires != null) {
            req.put("expires", expires);
        }
        JsonNode body = client.post("bulk", req);
        if (json) {
            return printJson(body);
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

    private int printJson(JsonNode body) {
        try {
            out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (java.io.IOException e) {
            out.println(body);
        }
        return 0;
    }
}
