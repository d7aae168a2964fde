package dev.airlock.proxy.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.proxy.TestGate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The full form copied from the upstream bytes is the same JSON document the token-based renderer writes. */
class PackumentSpliceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UP = "https://upstream.example/";
    private static final NpmLinks LINKS = new NpmLinks("http://airlock.example/npm/", URI.create(UP));
    private static final NpmPackageName NAME = NpmPackageName.parse("widget");

    private static String version(String v, String dist) {
        return "\"" + v + "\": {\"name\": \"widget\", \"version\": \"" + v + "\"" + (dist == null ? "" : ", \"dist\": " + dist) + "}";
    }

    /** Each case is a quirk the splice must handle; 3.0.0 is hidden by the gate in every case. */
    private static String document(String quirk) {
        String tgz = "\"tarball\": \"" + UP + "widget/-/widget-%s.tgz\"";
        String att = "\"attestations\": {\"provenance\": {\"p\": 1}, \"url\": \"" + UP + "-/npm/v1/attestations/widget@%s\"}";
        String v1 = switch (quirk) {
            case "no-dist" -> version("1.0.0", null);
            case "dist-not-object" -> version("1.0.0", "\"nope\"");
            case "dist-without-tarball" -> version("1.0.0", "{\"integrity\": \"sha512-a\"}");
            case "empty-dist" -> version("1.0.0", "{}");
            case "attestation-first" -> version("1.0.0", "{" + att.formatted("1.0.0") + ", " + tgz.formatted("1.0.0") + "}");
            case "empty-version" -> "\"1.0.0\": {}";
            case "escapes" -> "\"1.0.0\": {\"description\": \"a \\\"quoted\\\" \\u00e9 \\n line\", \"dist\": {"
                    + tgz.formatted("1.0.0") + ", \"shasum\": \"aa\"}}";
            default -> version("1.0.0", "{" + tgz.formatted("1.0.0") + ", \"integrity\": \"sha512-a\", " + att.formatted("1.0.0") + "}");
        };
        String versions = "\"versions\": {\n  " + v1 + ",\n  \"2.0.0\": 7,\n  "
                + version("3.0.0", "{" + tgz.formatted("3.0.0") + "}") + ",\n  "
                + version("4.0.0", "{" + tgz.formatted("4.0.0") + ", \"signatures\": [{\"sig\": \"MEU+/=\"}]}") + "\n}";
        String time = "\"time\": {\"created\": \"2024-01-01T00:00:00.000Z\", \"1.0.0\": \"2024-01-02T00:00:00.000Z\", "
                + "\"3.0.0\": \"2024-01-03T00:00:00.000Z\", \"weird\": 5, \"modified\": \"2024-01-04T00:00:00.000Z\"}";
        String tags = "\"dist-tags\": {\"latest\": \"3.0.0\", \"beta\": \"4.0.0\"}";
        return switch (quirk) {
            case "no-tags" -> "{\"name\": \"widget\", " + versions + ", " + time + "}";
            case "no-versions" -> "{\"name\": \"widget\", " + tags + "}";
            default -> "{\n \"_id\": \"widget\",\n \"name\": \"widget\",\n " + tags + ",\n " + versions + ",\n " + time
                    + ",\n \"readme\": \"# widget\",\n \"numbers\": [1, 2.5, -3e2, true, null]\n}";
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "no-dist", "dist-not-object", "dist-without-tarball", "empty-dist", "attestation-first",
            "empty-version", "escapes", "no-tags", "no-versions"})
    void theSplicedFullFormIsTheSameDocumentAsTheRegeneratedOne(String quirk) throws Exception {
        Packument doc = Packument.parse(document(quirk).getBytes(StandardCharsets.UTF_8));
        assertNotNull(doc.layout(), "a document read as bytes has a layout");
        PackumentFilter.Verdicts v = PackumentFilter.decide(NAME, doc, new TestGate().block("npm:widget@3.0.0", "held", "held"));
        JsonNode spliced = JSON.readTree(PackumentSplice.full(NAME, doc, v, LINKS));
        JsonNode regenerated = JSON.readTree(PackumentRegenerator.regenerate(NAME, doc, v, LINKS, false));
        assertEquals(regenerated, spliced);
        if (!quirk.equals("no-versions")) {
            assertEquals("http://airlock.example/npm/widget/-/widget-4.0.0.tgz",
                    spliced.path("versions").path("4.0.0").path("dist").path("tarball").asText());
            assertEquals(false, spliced.path("versions").has("3.0.0"));
        }
    }
}
