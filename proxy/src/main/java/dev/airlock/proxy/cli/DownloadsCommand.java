package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.items;
import static dev.airlock.proxy.cli.AdminOutput.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code admin downloads ECOSYSTEM NAME VERSION}: who was served a version (its blast radius). */
@Command(name = "downloads", description = "Who downloaded a version through Airlock.")
final class DownloadsCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    @Parameters(paramLabel = "ECOSYSTEM NAME VERSION", arity = "0..3", hideParamSyntax = true)
    List<String> target = new ArrayList<>();

    @Override
    public Integer call() throws AdminException {
        Target t = Target.of(target, true);
        AdminSession s = admin.session();
        JsonNode body = s.client().get("packages/" + t.path() + "/downloads");
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode d : items(body, "downloads")) {
            rows.add(List.of(text(d, "at"), text(d, "clientAddress"), text(d, "userAgent"), text(d, "file")));
        }
        if (rows.isEmpty()) {
            out.println("nobody downloaded " + t.label() + " through Airlock");
            return 0;
        }
        out.println(rows.size() + " download(s) of " + t.label());
        out.table(List.of("AT", "CLIENT", "USER AGENT", "FILE"), rows);
        return 0;
    }
}
