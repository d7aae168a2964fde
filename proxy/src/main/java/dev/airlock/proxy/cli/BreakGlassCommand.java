package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageNames;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code airlock admin break-glass ...}: exemptions from the outbreak hold.
 * <pre>
 *   break-glass list
 *   break-glass allow ECOSYSTEM NAME [VERSION] --for DURATION --reason TEXT
 *   break-glass end ECOSYSTEM NAME [VERSION] [--reason TEXT]
 * </pre>
 */
final class BreakGlassCommand {
    static final String USAGE_LINES = String.join("\n",
            "  break-glass list                  (the outbreak hold line and the exemptions in force)",
            "  break-glass allow ECOSYSTEM NAME [VERSION] --for DURATION --reason TEXT   (e.g. --for 4h; at most 30d)",
            "  break-glass end ECOSYSTEM NAME [VERSION] [--reason TEXT]");

    private BreakGlassCommand() {
    }

    static int run(AdminClient client, List<String> args, PrintStream out, boolean json) throws AdminException {
        if (args.isEmpty()) {
            throw usage("usage: break-glass needs list, allow or end");
        }
        String sub = args.remove(0);
        switch (sub) {
            case "list": {
                if (!args.isEmpty()) {
                    throw usage("usage: unexpected argument '" + args.get(0) + "'");
                }
                JsonNode body = client.get("break-glass");
                if (json) {
                    return print(out, body);
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
            case "allow": {
                String duration = option(args, "--for");
                String reason = option(args, "--reason");
                if (duration == null || reason == null || reason.isBlank()) {
                    throw usage("usage: break-glass allow needs --for DURATION and --reason TEXT");
                }
                String path = path(args);
                Map<String, Object> req = new LinkedHashMap<>();
                req.put("duration", duration);
                req.put("reason", reason);
                JsonNode body = client.post(path, req);
                if (json) {
                    return print(out, body);
                }
                JsonNode e = body.path("exemption");
                out.println("let " + e.path("target").asText() + " through the outbreak hold until "
                        + e.path("expires").asText() + " (audit #" + body.path("audit").path("seq").asText() + ")");
                return 0;
            }
            case "end": {
                String reason = option(args, "--reason");
                String path = path(args) + (reason == null ? "" : "?reason=" + enc(reason));
                JsonNode body = client.delete(path);
                if (json) {
                    return print(out, body);
                }
                out.println("ended the exemption of " + body.path("removed").path("target").asText()
                        + ": the outbreak hold applies again");
                return 0;
            }
            default:
                throw usage("usage: unknown break-glass command '" + sub + "'");
        }
    }

    private static String path(List<String> args) throws AdminException {
        for (String a : args) {
            if (a.startsWith("--")) {
                throw usage("usage: unknown option '" + a + "'");
            }
        }
        if (args.size() < 2 || args.size() > 3) {
            throw usage("usage: expected ECOSYSTEM NAME [VERSION]");
        }
        Ecosystem eco;
        try {
            eco = Ecosystem.parse(args.get(0));
            PackageNames.normalize(eco, args.get(1));
        } catch (IllegalArgumentException e) {
            throw usage("usage: " + e.getMessage());
        }
        if (args.size() == 3 && !PackageNames.isValidVersion(args.get(2))) {
            throw usage("usage: invalid version '" + args.get(2) + "'");
        }
        String name = enc(args.get(1));
        name = name.startsWith("%40") ? "@" + name.substring(3) : name;
        return "break-glass/" + eco.id() + "/" + name + (args.size() == 3 ? "/" + enc(args.get(2)) : "");
    }

    private static String option(List<String> args, String name) throws AdminException {
        int i = args.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw usage("usage: " + name + " needs a value");
        }
        String v = args.remove(i + 1);
        args.remove(i);
        return v;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int print(PrintStream out, JsonNode body) {
        try {
            out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (IOException e) {
            out.println(body);
        }
        return 0;
    }

    private static AdminException usage(String message) {
        return new AdminException(AdminException.USAGE, message);
    }
}
