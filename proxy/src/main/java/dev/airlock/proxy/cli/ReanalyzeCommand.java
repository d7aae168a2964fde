package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code admin reanalyze ECOSYSTEM NAME VERSION --reason TEXT}: a new analysis; the verdict stays
 * until its result. With {@code --where} every version a filter selects ({@link BulkCommand}).
 */
@Command(name = "reanalyze", description = "Queue a new analysis; the verdict stays until its result.")
final class ReanalyzeCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    @Parameters(paramLabel = "ECOSYSTEM NAME VERSION", arity = "0..3", hideParamSyntax = true)
    List<String> target = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "recorded in the audit log")
    String reason;

    @Option(names = "--where", paramLabel = "FILTERS", description = "every version these filters select (see allow --help)")
    String where;

    @Option(names = "--expires", paramLabel = "ISO-8601", description = "with --where: passed on with the action")
    String expires;

    @Option(names = "--dry-run", description = "with --where: only count what the filters select")
    boolean dryRun;

    @Override
    public Integer call() throws AdminException {
        if (where != null) {
            if (!target.isEmpty()) {
                throw AdminException.usage("--where takes no ECOSYSTEM NAME VERSION, got '" + target.get(0) + "'");
            }
            return new BulkCommand(admin.session()).run("reanalyze", where, reason, expires, dryRun);
        }
        if (dryRun || expires != null) {
            throw AdminException.usage((dryRun ? "--dry-run" : "--expires") + " goes with --where");
        }
        Target t = Target.of(target, true);
        if (reason == null || reason.isBlank()) {
            throw AdminException.usage("reanalyze needs --reason TEXT (it is recorded in the audit log)");
        }
        AdminSession s = admin.session();
        JsonNode body = s.client().post("packages/" + t.path() + "/reanalyze",
                AdminClient.JSON.createObjectNode().put("reason", reason));
        if (s.output().json()) {
            return s.output().printJson(body);
        }
        s.output().println("queued " + t.label() + " for re-analysis: " + reason + " (state stays " + state(body)
                + " until the result)");
        return 0;
    }
}
