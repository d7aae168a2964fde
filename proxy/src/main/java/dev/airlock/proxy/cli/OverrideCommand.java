package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.merged;
import static dev.airlock.proxy.cli.AdminOutput.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code admin allow|block ECOSYSTEM NAME [VERSION] --reason TEXT [--expires ISO-8601]}: an
 * override for one version or, without a version, the whole package. With {@code --where} the
 * same action goes to every version a filter selects ({@link BulkCommand}).
 */
abstract class OverrideCommand implements Callable<Integer> {
    private final String action;

    @ParentCommand
    AdminCommand admin;

    @Parameters(paramLabel = "ECOSYSTEM NAME [VERSION]", arity = "0..3", hideParamSyntax = true)
    List<String> target = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "recorded in the audit log (and shown to developers for a block)")
    String reason;

    @Option(names = "--expires", paramLabel = "ISO-8601", description = "when the override ends, e.g. 2026-12-31T00:00:00Z")
    String expires;

    @Option(names = "--where", paramLabel = "FILTERS", description = "act on every version these filters select, e.g. "
            + "state=quarantined,reason=sandbox_error (ecosystem, reason, rule, name, olderThan, newerThan)")
    String where;

    @Option(names = "--dry-run", description = "with --where: only count what the filters select")
    boolean dryRun;

    OverrideCommand(String action) {
        this.action = action;
    }

    @Override
    public Integer call() throws AdminException {
        if (where != null) {
            if (!target.isEmpty()) {
                throw AdminException.usage("--where takes no ECOSYSTEM NAME, got '" + target.get(0) + "'");
            }
            return new BulkCommand(admin.session()).run(action, where, reason, expires, dryRun);
        }
        if (dryRun) {
            throw AdminException.usage("--dry-run goes with --where");
        }
        Target t = Target.of(target, false);
        if (reason == null || reason.isBlank()) {
            throw AdminException.usage(action + " needs --reason TEXT (it is recorded in the audit log"
                    + (action.equals("block") ? " and shown to developers)" : ")"));
        }
        ObjectNode req = AdminClient.JSON.createObjectNode().put("action", action).put("reason", reason);
        if (expires != null) {
            try {
                Instant.parse(expires);
            } catch (DateTimeParseException e) {
                throw AdminException.usage("--expires must be an ISO-8601 instant like 2026-12-31T00:00:00Z, got '" + expires + "'");
            }
            req.put("expires", expires);
        }
        AdminSession s = admin.session();
        JsonNode body = s.client().post("packages/" + t.path() + "/override", req);
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        out.println((action.equals("allow") ? "allowed " : "blocked ") + t.label() + ": " + reason);
        String st = state(merged(body));
        if (!st.isEmpty() && t.version() != null) {
            out.println("state now: " + st);
        }
        return 0;
    }

    @Command(name = "allow", description = "Serve a version (or every version of a package) whatever the checks say.")
    static final class Allow extends OverrideCommand {
        Allow() {
            super("allow");
        }
    }

    @Command(name = "block", description = "Refuse a version (or every version of a package), with a reason developers see.")
    static final class Block extends OverrideCommand {
        Block() {
            super("block");
        }
    }
}
