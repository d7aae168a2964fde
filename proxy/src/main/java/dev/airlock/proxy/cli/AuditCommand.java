package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminOutput.items;
import static dev.airlock.proxy.cli.AdminOutput.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code admin audit [filters]}: one page of the audit log, newest first; when older lines match,
 * the command that shows them is printed, with {@code --before} set to the server's cursor.
 * Malformed times and numbers are refused before anything is sent, naming the expected form.
 */
@Command(name = "audit", description = "The audit log, newest first (--before pages back).")
final class AuditCommand implements Callable<Integer> {
    /** Option values printed back for copy and paste; anything else is single-quoted for the shell. */
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9@:/._+-]+");

    @ParentCommand
    AdminCommand admin;

    @Option(names = "--target", paramLabel = "ECO:NAME[@VERSION]")
    String target;

    @Option(names = "--actor", paramLabel = "WHO")
    String actor;

    @Option(names = "--action", paramLabel = "ACTION")
    String action;

    @Option(names = "--since", paramLabel = "ISO-8601")
    String since;

    @Option(names = "--until", paramLabel = "ISO-8601")
    String until;

    @Option(names = "--limit", paramLabel = "N")
    String limit;

    @Option(names = "--before", paramLabel = "ID")
    String before;

    @Override
    public Integer call() throws AdminException {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("target", target);
        filters.put("actor", actor);
        filters.put("action", action);
        filters.put("since", instant("since", since));
        filters.put("until", instant("until", until));
        filters.put("limit", positive("limit", limit));
        filters.put("before", positive("before", before));
        List<String> query = new ArrayList<>();
        List<String> again = new ArrayList<>();
        filters.forEach((name, v) -> {
            if (v != null) {
                query.add(name + "=" + Target.enc(v));
                if (!name.equals("before")) {
                    again.add("--" + name + " " + (SHELL_SAFE.matcher(v).matches() ? v : "'" + v.replace("'", "'\\''") + "'"));
                }
            }
        });
        AdminSession s = admin.session();
        JsonNode body = s.client().get("audit" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        AdminOutput out = s.output();
        if (out.json()) {
            return out.printJson(body);
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : items(body, "entries", "audit")) {
            String change = e.hasNonNull("previousState") || e.hasNonNull("newState")
                    ? text(e, "previousState") + " -> " + text(e, "newState") : "";
            rows.add(List.of(text(e, "seq"), text(e, "at"), text(e, "who"), text(e, "action"), text(e, "target"), change,
                    text(e, "reason")));
        }
        if (rows.isEmpty()) {
            out.println("no audit entries");
            return 0;
        }
        out.table(List.of("ID", "AT", "WHO", "ACTION", "TARGET", "CHANGE", "REASON"), rows);
        JsonNode next = body.path("next");
        if (next.isIntegralNumber()) {
            again.add("--before " + next.asLong());
            out.println("older entries: airlock admin audit " + String.join(" ", again));
        }
        return 0;
    }

    private static String instant(String name, String v) throws AdminException {
        if (v != null) {
            try {
                Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw AdminException.usage("--" + name + " must be an ISO-8601 instant like 2026-01-31T00:00:00Z, got '" + v + "'");
            }
        }
        return v;
    }

    private static String positive(String name, String v) throws AdminException {
        if (v == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw AdminException.usage("--" + name + " must be a positive number, got '" + v + "'");
        }
        return v;
    }
}
