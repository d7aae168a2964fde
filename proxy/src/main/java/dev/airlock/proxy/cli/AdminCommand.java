package dev.airlock.proxy.cli;

import static dev.airlock.proxy.cli.AdminArgs.enc;
import static dev.airlock.proxy.cli.AdminArgs.flag;
import static dev.airlock.proxy.cli.AdminArgs.noMore;
import static dev.airlock.proxy.cli.AdminArgs.option;
import static dev.airlock.proxy.cli.AdminArgs.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code bin/airlock admin --url URL --token TOKEN <command>}: the admin API from a terminal.
 * Exit codes: 0 ok, 1 server or other error, 2 usage (also a request the server rejects as
 * invalid), 3 Airlock unreachable, 4 token refused (401), 5 not found.
 */
public final class AdminCommand {
    static final String USAGE = String.join("\n",
            "usage: airlock admin [--url URL] [--token TOKEN] [--json] <command>",
            "  list [--state pending|quarantined|blocked|allowed] [--ecosystem npm|pypi]",
            "  show ECOSYSTEM NAME [VERSION]",
            "  allow ECOSYSTEM NAME [VERSION] --reason TEXT [--expires ISO-8601]",
            "  block ECOSYSTEM NAME [VERSION] --reason TEXT [--expires ISO-8601]",
            "  unoverride ECOSYSTEM NAME [VERSION] [--reason TEXT]",
            "  reanalyze ECOSYSTEM NAME VERSION --reason TEXT",
            "  allow|block|reanalyze --where FILTERS --reason TEXT [--expires ISO-8601] [--dry-run]",
            "        FILTERS: state=quarantined,ecosystem=npm,reason=CODE,rule=RULE,name=GLOB,olderThan=2h,newerThan=7d",
            "  audit [--target ECO:NAME[@VERSION]] [--actor WHO] [--action ACTION] [--since ISO-8601]",
            "        [--until ISO-8601] [--limit N] [--before ID]   (newest first; --before pages back)",
            "  downloads ECOSYSTEM NAME VERSION",
            "  feed import PATH            (an OSV .json file, a .zip, or a directory of OSV records)",
            BreakGlassCommand.USAGE_LINES,
            "URL defaults to $AIRLOCK_URL or http://127.0.0.1:8080/; TOKEN to $AIRLOCK_ADMIN_TOKEN.",
            "Exit codes: 0 ok, 1 server error, 2 usage, 3 unreachable, 4 unauthorized, 5 not found.");

    /** Option values printed back for copy and paste; anything else is single-quoted for the shell. */
    private static final java.util.regex.Pattern SHELL_SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9@:/._+-]+");

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private boolean json;

    private AdminCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err, System.console() != null);
    }

    /** For tests and embedding: explicit environment, streams and whether stderr is a terminal. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        AdminCommand cmd = new AdminCommand(out, err, terminal);
        try {
            return cmd.execute(new ArrayList<>(List.of(args)), env);
        } catch (AdminException e) {
            err.println("airlock admin: " + e.getMessage());
            if (e.exitCode() == AdminException.USAGE && e.getMessage().startsWith("usage")) {
                err.println(USAGE);
            }
            return e.exitCode();
        }
    }

    private int execute(List<String> args, Map<String, String> env) throws AdminException {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? AdminException.USAGE : 0;
        }
        String url = option(args, "--url");
        String token = option(args, "--token");
        json = flag(args, "--json");
        url = url != null ? url : env.getOrDefault("AIRLOCK_URL", "http://127.0.0.1:8080/");
        token = token != null ? token : env.get("AIRLOCK_ADMIN_TOKEN");
        URI base;
        try {
            base = ClientConfigCommand.parseBase(url);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage().replace("--url", "URL"));
        }
        if (args.isEmpty()) {
            throw usage("usage: a command is missing");
        }
        String command = args.remove(0);
        if (token == null || token.isBlank()) {
            throw new AdminException(AdminException.USAGE,
                    "no admin token: pass --token TOKEN or set AIRLOCK_ADMIN_TOKEN (Airlock writes it to <data-dir>/admin-token)");
        }
        AdminClient client = new AdminClient(base, token);
        switch (command) {
            case "list": return list(client, args);
            case "show": return show(client, args);
            case "allow":
            case "block": return args.stream().anyMatch(a -> a.equals("--where") || a.startsWith("--where="))
                    ? new BulkCommand(client, out, json).run(command, args) : override(client, command, args);
            case "reanalyze": return args.stream().anyMatch(a -> a.equals("--where") || a.startsWith("--where="))
                    ? new BulkCommand(client, out, json).run(command, args) : reanalyze(client, args);
            case "unoverride": return unoverride(client, args);
            case "audit": return audit(client, args);
            case "downloads": return downloads(client, args);
            case "feed": return feed(client, args);
            case "break-glass": return BreakGlassCommand.run(client, args, out, json);
            default: throw usage("usage: unknown command '" + command + "'");
        }
    }

    // ---------- commands ----------

    private int list(AdminClient client, List<String> args) throws AdminException {
        String state = option(args, "--state");
        String eco = option(args, "--ecosystem");
        noMore(args);
        StringBuilder q = new StringBuilder("versions");
        char sep = '?';
        if (state != null) {
            if (!List.of("pending", "quarantined", "blocked", "allowed").contains(state.toLowerCase(Locale.ROOT))) {
                throw usage("usage: --state must be pending, quarantined, blocked or allowed, got '" + state + "'");
            }
            q.append(sep).append("state=").append(enc(state.toLowerCase(Locale.ROOT)));
            sep = '&';
        }
        if (eco != null) {
            q.append(sep).append("ecosystem=").append(ecosystem(eco).id());
        }
        JsonNode body = client.get(q.toString());
        if (json) {
            return printJson(body);
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : items(body, "versions")) {
            rows.add(List.of(coord(v, "ecosystem"), coord(v, "name"), coord(v, "version"), state(v),
                    text(v, "firstSeen"), reasonCodes(v)));
        }
        if (rows.isEmpty()) {
            out.println("no versions" + (state == null ? "" : " in state " + state));
            return 0;
        }
        TablePrinter.print(out, List.of("ECOSYSTEM", "NAME", "VERSION", "STATE", "FIRST SEEN", "REASONS"), rows);
        return 0;
    }

    private int show(AdminClient client, List<String> args) throws AdminException {
        Target t = target(args, false);
        noMore(args);
        JsonNode body = client.get(t.path());
        if (json) {
            return printJson(body);
        }
        if (t.version == null) {
            out.println(t.ecosystem.id() + ":" + t.name);
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
                TablePrinter.print(out, List.of("VERSION", "STATE", "REASONS"), rows);
            }
            return 0;
        }
        JsonNode v = body.has("verdict") && body.get("verdict").isObject() ? merged(body) : body;
        out.println(t.ecosystem.id() + ":" + t.name + "@" + t.version + "  " + state(v).toUpperCase(Locale.ROOT));
        for (String k : List.of("decidedBy", "decidedAt", "firstSeen", "publishedAt", "analysisStage", "analysisState", "sha256")) {
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
        printReasons("reasons", v.path("reasons"));
        printReasons("analysis reasons", v.path("analysisReasons"));
        JsonNode files = v.path("files");
        if (files.isArray() && files.size() > 0) {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode f : files) {
                rows.add(List.of(text(f, "file"), text(f, "state"), text(f, "stage"), reasonCodes(f)));
            }
            out.println("  files:");
            TablePrinter.print(out, List.of("FILE", "STATE", "ANALYSIS", "REASONS"), rows);
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
        return 0;
    }

    private int override(AdminClient client, String action, List<String> args) throws AdminException {
        String reason = option(args, "--reason");
        String expires = option(args, "--expires");
        Target t = target(args, false);
        noMore(args);
        if (reason == null || reason.isBlank()) {
            throw usage("usage: " + action + " needs --reason TEXT (it is recorded in the audit log"
                    + (action.equals("block") ? " and shown to developers)" : ")"));
        }
        ObjectNode req = AdminClient.JSON.createObjectNode().put("action", action).put("reason", reason);
        if (expires != null) {
            try {
                Instant.parse(expires);
            } catch (DateTimeParseException e) {
                throw usage("usage: --expires must be an ISO-8601 instant like 2026-12-31T00:00:00Z, got '" + expires + "'");
            }
            req.put("expires", expires);
        }
        JsonNode body = client.post(t.path() + "/override", req);
        if (json) {
            return printJson(body);
        }
        out.println((action.equals("allow") ? "allowed " : "blocked ") + t.label() + ": " + reason);
        String st = state(body.has("verdict") ? merged(body) : body);
        if (!st.isEmpty() && t.version != null) {
            out.println("state now: " + st);
        }
        return 0;
    }

    private int reanalyze(AdminClient client, List<String> args) throws AdminException {
        String reason = option(args, "--reason");
        Target t = target(args, true);
        noMore(args);
        if (reason == null || reason.isBlank()) {
            throw usage("usage: reanalyze needs --reason TEXT (it is recorded in the audit log)");
        }
        JsonNode body = client.post(t.path() + "/reanalyze", AdminClient.JSON.createObjectNode().put("reason", reason));
        if (json) {
            return printJson(body);
        }
        out.println("queued " + t.label() + " for re-analysis: " + reason + " (state stays " + state(body)
                + " until the result)");
        return 0;
    }

    private int unoverride(AdminClient client, List<String> args) throws AdminException {
        String reason = option(args, "--reason");
        Target t = target(args, false);
        noMore(args);
        JsonNode body = client.delete(t.path() + "/override" + (reason == null || reason.isBlank() ? "" : "?reason=" + enc(reason)));
        if (json) {
            return printJson(body);
        }
        out.println("override removed from " + t.label());
        return 0;
    }

    /** Newest first, one page; when older lines match, prints the {@code --before} that shows them. */
    private int audit(AdminClient client, List<String> args) throws AdminException {
        List<String> query = new ArrayList<>();
        List<String> again = new ArrayList<>();
        for (String name : List.of("target", "actor", "action", "since", "until", "limit", "before")) {
            String v = option(args, "--" + name);
            if (v == null) {
                continue;
            }
            checkAuditOption(name, v);
            query.add(name + "=" + enc(v));
            if (!name.equals("before")) {
                again.add("--" + name + " " + (SHELL_SAFE.matcher(v).matches() ? v : "'" + v.replace("'", "'\\''") + "'"));
            }
        }
        noMore(args);
        JsonNode body = client.get("audit" + (query.isEmpty() ? "" : "?" + String.join("&", query)));
        if (json) {
            return printJson(body);
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
        TablePrinter.print(out, List.of("ID", "AT", "WHO", "ACTION", "TARGET", "CHANGE", "REASON"), rows);
        JsonNode next = body.path("next");
        if (next.isIntegralNumber()) {
            again.add("--before " + next.asLong());
            out.println("older entries: airlock admin audit " + String.join(" ", again));
        }
        return 0;
    }

    /** Refuses a malformed option before calling the server, naming the expected form. */
    private static void checkAuditOption(String name, String v) throws AdminException {
        switch (name) {
            case "since", "until" -> {
                try {
                    Instant.parse(v);
                } catch (DateTimeParseException e) {
                    throw usage("usage: --" + name + " must be an ISO-8601 instant like 2026-01-31T00:00:00Z, got '" + v + "'");
                }
            }
            case "limit", "before" -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    n = 0;
                }
                if (n < 1) {
                    throw usage("usage: --" + name + " must be a positive number, got '" + v + "'");
                }
            }
            default -> {
                // target, actor and action are matched exactly by the server.
            }
        }
    }

    private int downloads(AdminClient client, List<String> args) throws AdminException {
        Target t = target(args, true);
        noMore(args);
        JsonNode body = client.get(t.path() + "/downloads");
        if (json) {
            return printJson(body);
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
        TablePrinter.print(out, List.of("AT", "CLIENT", "USER AGENT", "FILE"), rows);
        return 0;
    }

    private int feed(AdminClient client, List<String> args) throws AdminException {
        if (args.size() != 2 || !args.get(0).equals("import")) {
            throw usage("usage: feed import PATH");
        }
        Path path = Path.of(args.get(1));
        if (!Files.exists(path)) {
            throw new AdminException(AdminException.USAGE, "no such file or directory: " + path);
        }
        byte[] bytes;
        String type;
        try {
            if (Files.isDirectory(path)) {
                bytes = FeedUpload.zipDirectory(path);
                type = "application/zip";
            } else {
                bytes = Files.readAllBytes(path);
                type = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip") ? "application/zip" : "application/json";
            }
        } catch (IOException e) {
            throw new AdminException(AdminException.OTHER, "cannot read " + path + ": " + e.getMessage());
        }
        FeedUpload.Progress progress = new FeedUpload.Progress(err, terminal, bytes.length);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> progress.wrap(bytes)), bytes.length);
        JsonNode body;
        try {
            body = client.postBody("feeds/osv", type, publisher, Duration.ofMinutes(30));
        } finally {
            progress.done();
        }
        if (json) {
            return printJson(body);
        }
        StringBuilder summary = new StringBuilder("imported " + path.getFileName());
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                summary.append(", ").append(e.getKey()).append('=').append(e.getValue().asText());
            }
        }
        out.println(summary);
        return 0;
    }

    // ---------- arguments ----------

    private record Target(Ecosystem ecosystem, String name, String version) {
        String path() {
            String seg = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            // Scoped npm names travel as @scope%2fname, the form the admin API documents.
            seg = seg.startsWith("%40") ? "@" + seg.substring(3) : seg;
            return "packages/" + ecosystem.id() + "/" + seg + (version == null ? "" : "/" + enc(version));
        }

        String label() {
            return ecosystem.id() + ":" + name + (version == null ? " (every version)" : "@" + version);
        }
    }

    private Target target(List<String> args, boolean versionRequired) throws AdminException {
        List<String> positional = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                throw usage("usage: unknown option '" + a + "'");
            }
            positional.add(a);
        }
        int max = 3;
        int min = versionRequired ? 3 : 2;
        if (positional.size() < min || positional.size() > max) {
            throw usage("usage: expected ECOSYSTEM NAME" + (versionRequired ? " VERSION" : " [VERSION]"));
        }
        args.clear();
        Ecosystem eco = ecosystem(positional.get(0));
        String name = positional.get(1);
        try {
            PackageNames.normalize(eco, name);
        } catch (IllegalArgumentException e) {
            throw usage("usage: " + e.getMessage());
        }
        String version = positional.size() == 3 ? positional.get(2) : null;
        if (version != null && !PackageNames.isValidVersion(version)) {
            throw usage("usage: invalid version '" + version + "'");
        }
        return new Target(eco, name, version);
    }

    private static Ecosystem ecosystem(String text) throws AdminException {
        try {
            return Ecosystem.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage("usage: " + e.getMessage());
        }
    }

    // ---------- output ----------

    private int printJson(JsonNode body) {
        try {
            out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (IOException e) {
            out.println(body);
        }
        return 0;
    }

    /** The API may answer a bare array or wrap it in an object; accept both. */
    static List<JsonNode> items(JsonNode body, String... keys) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode arr = body;
        if (!body.isArray()) {
            arr = null;
            for (String k : keys) {
                if (body.path(k).isArray()) {
                    arr = body.get(k);
                    break;
                }
            }
            if (arr == null && body.path("items").isArray()) {
                arr = body.get("items");
            }
        }
        if (arr != null) {
            arr.forEach(out::add);
        }
        return out;
    }

    private static JsonNode merged(JsonNode body) {
        ObjectNode m = ((ObjectNode) body.get("verdict")).deepCopy();
        body.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("verdict")) {
                m.set(e.getKey(), e.getValue());
            }
        });
        return m;
    }

    private static String coord(JsonNode v, String field) {
        JsonNode c = v.has("coordinate") ? v.get("coordinate") : v.path("verdict").path("coordinate");
        String value = v.hasNonNull(field) ? v.get(field).asText() : c.hasNonNull(field) ? c.get(field).asText() : "";
        return field.equals("ecosystem") ? value.toLowerCase(Locale.ROOT) : value;
    }

    private static String state(JsonNode v) {
        JsonNode s = v.hasNonNull("state") ? v.get("state") : v.path("verdict").path("state");
        return s.isMissingNode() || s.isNull() ? "" : s.asText().toLowerCase(Locale.ROOT);
    }

    private static String text(JsonNode n, String field) {
        return n != null && n.hasNonNull(field) ? n.get(field).asText() : "";
    }

    private static String reasonCodes(JsonNode v) {
        JsonNode reasons = v.has("reasons") ? v.get("reasons") : v.path("verdict").path("reasons");
        List<String> codes = new ArrayList<>();
        for (JsonNode r : reasons) {
            codes.add(r.isTextual() ? r.asText() : text(r, "code"));
        }
        return String.join(",", codes);
    }

    private void printReasons(String title, JsonNode reasons) {
        if (!reasons.isArray() || reasons.size() == 0) {
            return;
        }
        out.println("  " + title + ":");
        for (JsonNode r : reasons) {
            out.println("    " + text(r, "code") + " (" + text(r, "source") + "): " + text(r, "message"));
        }
    }


}
