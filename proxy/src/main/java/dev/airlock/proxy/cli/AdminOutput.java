package dev.airlock.proxy.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The admin CLI's output: the API's JSON as it is ({@code --json}), or lines and tables read from
 * it. The readers accept both the shapes the API answers with (a verdict inline, or under
 * {@code verdict}) and return empty text for what is missing, so a field the server leaves out
 * never stops the output.
 */
final class AdminOutput {
    private final PrintStream out;
    private final boolean json;

    AdminOutput(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    void println(String line) {
        out.println(line);
    }

    void table(List<String> header, List<List<String>> rows) {
        TablePrinter.print(out, header, rows);
    }

    /** The answer, pretty-printed. */
    int printJson(JsonNode body) {
        try {
            out.println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        } catch (JsonProcessingException e) {
            out.println(body);
        }
        return 0;
    }

    void printReasons(String title, JsonNode reasons) {
        if (!reasons.isArray() || reasons.size() == 0) {
            return;
        }
        out.println("  " + title + ":");
        for (JsonNode r : reasons) {
            out.println("    " + text(r, "code") + " (" + text(r, "source") + "): " + text(r, "message"));
        }
    }

    /** The array under the first of {@code keys} (or {@code items}), or the body itself when it is one. */
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

    /** A version answer with its {@code verdict} object's fields lifted to the top. */
    static JsonNode merged(JsonNode body) {
        if (!body.path("verdict").isObject()) {
            return body;
        }
        ObjectNode m = ((ObjectNode) body.get("verdict")).deepCopy();
        body.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("verdict")) {
                m.set(e.getKey(), e.getValue());
            }
        });
        return m;
    }

    static String coord(JsonNode v, String field) {
        JsonNode c = v.has("coordinate") ? v.get("coordinate") : v.path("verdict").path("coordinate");
        String value = v.hasNonNull(field) ? v.get(field).asText() : c.hasNonNull(field) ? c.get(field).asText() : "";
        return field.equals("ecosystem") ? value.toLowerCase(Locale.ROOT) : value;
    }

    static String state(JsonNode v) {
        JsonNode s = v.hasNonNull("state") ? v.get("state") : v.path("verdict").path("state");
        return s.isMissingNode() || s.isNull() ? "" : s.asText().toLowerCase(Locale.ROOT);
    }

    static String text(JsonNode n, String field) {
        return n != null && n.hasNonNull(field) ? n.get(field).asText() : "";
    }

    static String reasonCodes(JsonNode v) {
        JsonNode reasons = v.has("reasons") ? v.get("reasons") : v.path("verdict").path("reasons");
        List<String> codes = new ArrayList<>();
        for (JsonNode r : reasons) {
            codes.add(r.isTextual() ? r.asText() : text(r, "code"));
        }
        return String.join(",", codes);
    }
}
