package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.coord;
import static dev.airlock.proxy.cli.AdminOutput.items;
import static dev.airlock.proxy.cli.AdminOutput.reasonCodes;
import static dev.airlock.proxy.cli.AdminOutput.state;
import static dev.airlock.proxy.cli.AdminOutput.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.model.Ecosystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code admin list [--state S] [--ecosystem E]}: the versions Airlock knows, with their reason codes. */
@Command(name = "list", description = "List versions by state.")
final class ListCommand implements Callable<Integer> {
    /** The states the listing filters on, as the API spells them. */
    enum State { pending, quarantined, blocked, allowed }

    @ParentCommand
    AdminCommand admin;

    @Option(names = "--state", paramLabel = "pending|quarantined|blocked|allowed")
    State state;

    @Option(names = "--ecosystem", paramLabel = "npm|pypi")
    Ecosystem ecosystem;

    @Override
    public Integer call() throws AdminException {
        AdminSession s = admin.session();
        List<String> query = new ArrayList<>();
        if (state != null) {
            query.add("state=" + state.name());
        }
        if (ecosystem != null) {
            query.add("ecosystem=" + ecosystem.id());
        }
        JsonNode body = s.client().get("versions" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : items(body, "versions")) {
            rows.add(List.of(coord(v, "ecosystem"), coord(v, "name"), coord(v, "version"), state(v),
                    text(v, "firstSeen"), reasonCodes(v)));
        }
        if (rows.isEmpty()) {
            out.println("no versions" + (state == null ? "" : " in state " + state.name().toLowerCase(Locale.ROOT)));
            return 0;
        }
        out.table(List.of("ECOSYSTEM", "NAME", "VERSION", "STATE", "FIRST SEEN", "REASONS"), rows);
        return 0;
    }
}
