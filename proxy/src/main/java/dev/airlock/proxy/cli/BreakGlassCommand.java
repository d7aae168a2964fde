package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code airlock admin break-glass list|allow|end}: exemptions from the outbreak hold.
 * <pre>
 *   break-glass list
 *   break-glass allow ECOSYSTEM NAME [VERSION] --for DURATION --reason TEXT
 *   break-glass end ECOSYSTEM NAME [VERSION] [--reason TEXT]
 * </pre>
 */
@Command(name = "break-glass", description = "Exemptions from the outbreak hold: list, allow, end.")
final class BreakGlassCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    /** No subcommand: a usage error, exit 2. */
    @Override
    public Integer call() throws AdminException {
        throw AdminException.usage("break-glass needs list, allow or end");
    }

    @Command(name = "list", description = "The outbreak hold line and the exemptions in force.")
    int list() throws AdminException {
        AdminSession s = admin.session();
        JsonNode body = s.client().get("break-glass");
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        out.println("outbreak hold: " + (body.hasNonNull("holdPublishedAfter")
                ? "versions published after " + body.get("holdPublishedAfter").asText() + " are held"
                : "off (policy.holdPublishedAfter is not set)"));
        JsonNode list = body.path("exemptions");
        if (list.isEmpty()) {
            out.println("no break-glass exemptions in force");
        }
        for (JsonNode e : list) {
            out.println("  " + e.path("target").asText() + "  until " + e.path("expires").asText() + "  by "
                    + e.path("by").asText() + ": " + e.path("reason").asText());
        }
        return 0;
    }

    @Command(name = "allow", description = "Let a version (or package) through the outbreak hold for a while (e.g. --for 4h; at most 30d).")
    int allow(@Parameters(paramLabel = "ECOSYSTEM NAME [VERSION]", arity = "2..3", hideParamSyntax = true) List<String> target,
              @Option(names = "--for", paramLabel = "DURATION") String duration,
              @Option(names = "--reason", paramLabel = "TEXT") String reason) throws AdminException {
        if (duration == null || reason == null || reason.isBlank()) {
            throw AdminException.usage("break-glass allow needs --for DURATION and --reason TEXT");
        }
        Target t = Target.of(target, false);
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("duration", duration);
        req.put("reason", reason);
        AdminSession s = admin.session();
        JsonNode body = s.client().post("break-glass/" + t.path(), req);
        if (s.output().json()) {
            return s.output().printJson(body);
        }
        JsonNode e = body.path("exemption");
        s.output().println("let " + e.path("target").asText() + " through the outbreak hold until "
                + e.path("expires").asText() + " (audit #" + body.path("audit").path("seq").asText() + ")");
        return 0;
    }

    @Command(name = "end", description = "End an exemption early: the outbreak hold applies again.")
    int end(@Parameters(paramLabel = "ECOSYSTEM NAME [VERSION]", arity = "2..3", hideParamSyntax = true) List<String> target,
            @Option(names = "--reason", paramLabel = "TEXT") String reason) throws AdminException {
        Target t = Target.of(target, false);
        AdminSession s = admin.session();
        JsonNode body = s.client().delete("break-glass/" + t.path() + (reason == null ? "" : "?reason=" + Target.enc(reason)));
        if (s.output().json()) {
            return s.output().printJson(body);
        }
        s.output().println("ended the exemption of " + body.path("removed").path("target").asText()
                + ": the outbreak hold applies again");
        return 0;
    }
}
