package dev.airlock.policy.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.common.Json;
import dev.airlock.model.Ecosystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads OSV records from one JSON object, a JSON array of them, or a zip of a directory tree of
 * {@code .json} files (the layout of the OpenSSF malicious-packages repository). Only
 * malicious-package records ({@code MAL-} ids) are kept: a vulnerability record must not block
 * every version it names as malware. Bad entries inside a zip are reported and skipped; a
 * document that is not JSON at all is an error.
 */
public final class OsvParser {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** A single OSV record is a few KB; anything this large in a zip is not one (or a zip bomb). */
    private static final long MAX_ENTRY_BYTES = 16L * 1024 * 1024;
    private static final int MAX_ENTRIES = 1_000_000;

    private OsvParser() {
    }

    /** What a document held. */
    public record Parsed(List<FeedRecord> records, List<String> withdrawn, int skipped, List<String> errors) {
    }

    public static boolean isZip(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
    }

    public static Parsed parse(byte[] bytes) throws IOException {
        Acc acc = new Acc();
        if (isZip(bytes)) {
            readZip(new ByteArrayInputStream(bytes), acc);
        } else {
            JsonNode root;
            try {
                root = JSON.readTree(bytes);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException("not an OSV JSON document or zip: " + e.getOriginalMessage());
            }
            if (root == null || !(root.isObject() || root.isArray())) {
                throw new IOException("not an OSV JSON document: expected an object or an array");
            }
            if (root.isObject() && !root.hasNonNull("id")) {
                throw new IOException("not an OSV record: no \"id\"");
            }
            readNode(root, "body", acc);
        }
        return new Parsed(acc.records, acc.withdrawn, acc.skipped, acc.errors);
    }

    private static void readZip(InputStream in, Acc acc) throws IOException {
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (++entries > MAX_ENTRIES) {
                    throw new IOException("zip has more than " + MAX_ENTRIES + " entries");
                }
                if (e.isDirectory() || !e.getName().toLowerCase(Locale.ROOT).endsWith(".json")) {
                    continue;
                }
                byte[] data = readBounded(zip, e.getName());
                if (data == null) {
                    acc.errors.add(e.getName() + ": larger than " + MAX_ENTRY_BYTES + " bytes");
                    continue;
                }
                try {
                    readNode(JSON.readTree(data), e.getName(), acc);
                } catch (IOException ex) {
                    acc.errors.add(e.getName() + ": not JSON");
                }
            }
        }
    }

    private static byte[] readBounded(InputStream in, String name) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > MAX_ENTRY_BYTES) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void readNode(JsonNode node, String where, Acc acc) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                readNode(n, where, acc);
            }
            return;
        }
        if (!node.isObject()) {
            acc.errors.add(where + ": not an OSV record");
            return;
        }
        String id = node.path("id").asText(null);
        if (id == null || id.isBlank()) {
            acc.errors.add(where + ": record without id");
            return;
        }
        if (!id.startsWith("MAL-")) {
            acc.skipped++;
            return;
        }
        if (node.hasNonNull("withdrawn")) {
            acc.withdrawn.add(id);
            return;
        }
        List<FeedRecord.Affected> affected = new ArrayList<>();
        for (JsonNode a : node.path("affected")) {
            String ecoText = a.path("package").path("ecosystem").asText("");
            String name = a.path("package").path("name").asText(null);
            Ecosystem eco = switch (ecoText) {
                case "npm" -> Ecosystem.NPM;
                case "PyPI" -> Ecosystem.PYPI;
                default -> null;
            };
            if (eco == null || name == null) {
                continue;
            }
            String normalised;
            try {
                normalised = FeedRecord.normaliseName(eco, name);
            } catch (IllegalArgumentException e) {
                acc.errors.add(where + ": " + id + ": " + e.getMessage());
                continue;
            }
            List<String> versions = new ArrayList<>();
            for (JsonNode v : a.path("versions")) {
                versions.add(v.asText());
            }
            List<FeedRecord.Range> ranges = new ArrayList<>();
            for (JsonNode r : a.path("ranges")) {
                List<FeedRecord.Event> events = new ArrayList<>();
                for (JsonNode ev : r.path("events")) {
                    events.add(new FeedRecord.Event(text(ev, "introduced"), text(ev, "fixed"),
                            text(ev, "last_affected"), text(ev, "limit")));
                }
                ranges.add(new FeedRecord.Range(r.path("type").asText("ECOSYSTEM"), events));
            }
            affected.add(new FeedRecord.Affected(eco.id(), normalised, versions, ranges));
        }
        if (affected.isEmpty()) {
            acc.skipped++;
            return;
        }
        acc.records.add(new FeedRecord(id, node.path("summary").asText(null), node.path("modified").asText(null), affected));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static final class Acc {
        final List<FeedRecord> records = new ArrayList<>();
        final List<String> withdrawn = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        int skipped;
    }
}
