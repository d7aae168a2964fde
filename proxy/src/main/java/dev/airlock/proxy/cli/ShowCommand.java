package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.coord;
import static dev.airlock.proxy.cli.AdminOutput.items;
import static dev.airlock.proxy.cli.AdminOutput.merged;
import static dev.airlock.proxy.cli.AdminOutput.reasonCodes;
import static dev.airlock.proxy.cli.AdminOutput.state;
import static dev.airlock.proxy.cli.AdminOutput.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code admin show ECOSYSTEM NAME [VERSION]}: a package's versions, or one version's verdict and why. */
@Command(name = "show", description = "Show a package's versions, or one version's verdict, reasons, files and findings.")
final class ShowCommand implements Callable<Integer> {
    private static final List<String> FIELDS =
            List.of("decidedBy", "decidedAt", "firstSeen", "publishedAt", "analysisStage", "analysisState", "sha256");

    @ParentCommand
    AdminCommand admin;

    @Parameters(paramLabel = "ECOSYSTEM NAME [VERSION]", arity = "0..3", hideParamSyntax = true)
    List<String> target = new ArrayList<>();

    @Override
    public Integer call() throws AdminException {
        Target t = Target.of(target, false);
        AdminSession s = admin.session();
        JsonNode body = s.client().get("packages/" + t.path());
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        if (t.version() == null) {
            printPackage(out, t, body);
        } else {
            printVersion(out, t, merged(body));
        }
        return 0;
    }

    private static void printPackage(AdminOutput out, Target t, JsonNode body) {
        out.println(t.ecosystem().id() + ":" + t.name());
        if (body.hasNonNull("override")) {
            out.println("override: " + text(body.get("override"), "action") + " (" + text(body.get("override"), "reason") + ")");
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : items(body, "versions")) {
            rows.add(List.of(coord(v, "version"), state(v), reasonCodes(v)));
        }
        if (rows.isEmpty()) {
            out.println("no versions known");
        } else {
            out.table(List.of("VERSION", "STATE", "REASONS"), rows);
        }
    }

    private static void printVersion(AdminOutput out, Target t, JsonNode v) {
        out.println(t.ecosystem().id() + ":" + t.name() + "@" + t.version() + "  " + state(v).toUpperCase(Locale.ROOT));
        for (String k : FIELDS) {
            if (v.hasNonNull(k)) {
                out.println("  " + k + ": " + v.get(k).asText());
            }
        }
        if (v.path("analysis").hasNonNull("recommendation")) {
            out.println("  recommendation: " + v.get("analysis").get("recommendation").asText());
        }
        if (v.hasNonNull("feedRecord")) {
            out.println("  known malware record: " + text(v.get("feedRecord"), "id") + " " + text(v.get("feedRecord"), "summary"));
        }
        if (v.hasNonNull("override")) {
            out.println("  override: " + text(v.get("override"), "action") + " (" + text(v.get("override"), "reason") + ")");
        }
        out.printReasons("reasons", v.path("reasons"));
        out.printReasons("analysis reasons", v.path("analysisReasons"));
        JsonNode files = v.path("files");
        if (files.isArray() && files.size() > 0) {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode f : files) {
                rows.add(List.of(text(f, "file"), text(f, "state"), text(f, "stage"), reasonCodes(f)));
            }
            out.println("  files:");
            out.table(List.of("FILE", "STATE", "ANALYSIS", "REASONS"), rows);
        }
        JsonNode failure = v.path("infrastructureFailure");
        if (failure.isObject()) {
            out.println("  analysis could not run (retrying): " + text(failure, "cause") + " at " + text(failure, "at")
                    + ", attempt " + text(failure, "attempt"));
            for (String line : text(failure, "detail").split("\n")) {
                out.println("    " + line);
            }
        }
        JsonNode findings = v.has("findings") ? v.get("findings") : v.path("analysis").path("findings");
        if (findings.isArray() && findings.size() > 0) {
            out.println("  findings:");
            for (JsonNode f : findings) {
                out.println("    [" + text(f, "severity") + "] " + text(f, "rule") + ": " + text(f, "message")
                        + (f.hasNonNull("location") ? " at " + f.get("location").asText() : ""));
            }
        }
    }
}
