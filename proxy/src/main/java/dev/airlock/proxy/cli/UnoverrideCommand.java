package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code admin unoverride ECOSYSTEM NAME [VERSION] [--reason TEXT]}: the checks decide again. */
@Command(name = "unoverride", description = "Remove an override: the checks decide again.")
final class UnoverrideCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    @Parameters(paramLabel = "ECOSYSTEM NAME [VERSION]", arity = "0..3", hideParamSyntax = true)
    List<String> target = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT")
    String reason;

    @Override
    public Integer call() throws AdminException {
        Target t = Target.of(target, false);
        AdminSession s = admin.session();
        String query = reason == null || reason.isBlank() ? "" : "?reason=" + Target.enc(reason);
        JsonNode body = s.client().delete("packages/" + t.path() + "/override" + query);
        if (s.output().json()) {
            return s.output().printJson(body);
        }
        s.output().println("override removed from " + t.label());
        return 0;
    }
}
