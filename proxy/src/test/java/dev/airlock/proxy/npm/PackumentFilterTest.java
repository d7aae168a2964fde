package dev.airlock.proxy.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.proxy.TestGate;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PackumentFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSTREAM = "https://upstream.example/";
    private static final NpmLinks LINKS = new NpmLinks("http://airlock.example/npm/", URI.create(UPSTREAM));
    private static final NpmPackageName NAME = NpmPackageName.parse("@acme/widget");
    private static final String SIGNATURES = "[{\"keyid\":\"SHA256:k/+1=\",\"sig\":\"MEUCIQ+/abc==\"}]";
    private static final String INTEGRITY = "sha512-q+/w9Z0A==";

    /** Two versions; 2.0.0 carries provenance from the upstream, 1.0.0 an attestation hosted elsewhere. */
    private static byte[] upstreamDocument(boolean withModified) {
        String doc = "{\"_id\":\"@acme/widget\",\"name\":\"@acme/widget\",\"dist-tags\":{\"latest\":\"2.0.0\",\"next\":\"2.0.0\"},"
                + "\"versions\":{"
                + "\"1.0.0\":{\"name\":\"@acme/widget\",\"version\":\"1.0.0\",\"scripts\":{\"postinstall\":\"node x\"},"
                + "\"readme\":\"long\",\"dist\":{\"tarball\":\"" + UPSTREAM + "@acme/widget/-/widget-1.0.0.tgz\","
                + "\"integrity\":\"" + INTEGRITY + "\",\"shasum\":\"aa\",\"signatures\":" + SIGNATURES + ","
                + "\"attestations\":{\"url\":\"https://elsewhere.example/att/1\",\"provenance\":{\"predicateType\":\"p\"}}}},"
                + "\"2.0.0\":{\"name\":\"@acme/widget\",\"version\":\"2.0.0\",\"dist\":{\"tarball\":\"" + UPSTREAM
                + "@acme/widget/-/widget-2.0.0.tgz\",\"integrity\":\"sha512-bb\",\"shasum\":\"bb\","
                + "\"attestations\":{\"url\":\"" + UPSTREAM + "-/npm/v1/attestations/@acme%2fwidget@2.0.0\","
                + "\"provenance\":{\"predicateType\":\"https://slsa.dev/provenance/v1\"}}}}},"
                + "\"time\":{\"created\":\"2024-01-01T00:00:00.000Z\","
                + (withModified ? "\"modified\":\"2024-03-01T00:00:00.000Z\"," : "")
                + "\"1.0.0\":\"2024-01-01T00:00:00.000Z\",\"2.0.0\":\"2024-02-01T00:00:00.000Z\"},\"readme\":\"r\"}";
        return doc.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode render(byte[] upstream, TestGate gate, boolean abbreviated) throws Exception {
        Packument doc = Packument.parse(upstream);
        PackumentFilter.Verdicts v = PackumentFilter.decide(NAME, doc, gate);
        return JSON.readTree(PackumentFilter.render(NAME, doc, v, LINKS, abbreviated));
    }

    @Test
    void aHiddenVersionLeavesVersionsTimeAndTagsWhileShownVersionsKeepTheirTime() throws Exception {
        JsonNode out = render(upstreamDocument(true), new TestGate().block("npm:@acme/widget@2.0.0", "held", "held"), false);
        assertFalse(out.path("versions").has("2.0.0"));
        assertFalse(out.path("time").has("2.0.0"));
        assertEquals("2024-01-01T00:00:00.000Z", out.path("time").path("1.0.0").asText());
        assertEquals("2024-03-01T00:00:00.000Z", out.path("time").path("modified").asText());
        assertEquals("1.0.0", out.path("dist-tags").path("latest").asText());
        assertFalse(out.path("dist-tags").has("next"), "a tag naming a hidden version is dropped");
        assertEquals("r", out.path("readme").asText());
    }

    @Test
    void tarballsAndUpstreamAttestationsPointAtAirlockAndSignaturesPassByteForByte() throws Exception {
        byte[] upstream = upstreamDocument(true);
        JsonNode out = render(upstream, new TestGate(), false);
        JsonNode v2 = out.path("versions").path("2.0.0").path("dist");
        assertEquals("http://airlock.example/npm/@acme/widget/-/widget-2.0.0.tgz", v2.path("tarball").asText());
        assertEquals("http://airlock.example/npm/-/npm/v1/attestations/@acme%2fwidget@2.0.0",
                v2.path("attestations").path("url").asText());
        assertEquals("https://slsa.dev/provenance/v1", v2.path("attestations").path("provenance").path("predicateType").asText());
        JsonNode v1 = out.path("versions").path("1.0.0").path("dist");
        assertEquals("https://elsewhere.example/att/1", v1.path("attestations").path("url").asText(),
                "an attestation hosted elsewhere is not Airlock's to relay");
        String rendered = new String(PackumentFilter.render(NAME, Packument.parse(upstream),
                PackumentFilter.decide(NAME, Packument.parse(upstream), new TestGate()), LINKS, false), StandardCharsets.UTF_8);
        assertTrue(rendered.contains("\"signatures\":" + SIGNATURES), rendered);
        assertTrue(rendered.contains("\"integrity\":\"" + INTEGRITY + "\""), rendered);
    }

    @Test
    void theAbbreviatedFormKeepsTheUpstreamModifiedAndInstallScriptFlag() throws Exception {
        JsonNode out = render(upstreamDocument(true), new TestGate(), true);
        assertEquals("2024-03-01T00:00:00.000Z", out.path("modified").asText());
        assertEquals("@acme/widget", out.path("name").asText());
        assertTrue(out.path("versions").path("1.0.0").path("hasInstallScript").asBoolean());
        assertFalse(out.path("versions").path("1.0.0").has("readme"));
        assertFalse(out.path("versions").path("1.0.0").has("scripts"));
        assertFalse(out.has("time"));
        assertFalse(out.has("readme"));
        assertEquals("2.0.0", out.path("dist-tags").path("latest").asText());
    }

    @Test
    void anAbbreviatedDocumentWithoutModifiedGetsTheLatestShownPublishTime() throws Exception {
        JsonNode out = render(upstreamDocument(false), new TestGate().block("npm:@acme/widget@2.0.0", "held", "held"), true);
        assertEquals("2024-01-01T00:00:00Z", out.path("modified").asText());
    }

    @Test
    void aVersionDocumentIsOneShownVersionWithItsUrlsRewritten() throws Exception {
        Packument doc = Packument.parse(upstreamDocument(true));
        JsonNode v = JSON.readTree(PackumentFilter.versionDocument(NAME, doc, "2.0.0", LINKS));
        assertEquals("2.0.0", v.path("version").asText());
        assertEquals("http://airlock.example/npm/@acme/widget/-/widget-2.0.0.tgz", v.path("dist").path("tarball").asText());
        assertNull(PackumentFilter.versionDocument(NAME, doc, "9.9.9", LINKS));
    }

    @Test
    void theIndexKnowsTarballsDigestsAndPublishTimesWithoutATree() throws Exception {
        Packument doc = Packument.parse(upstreamDocument(true));
        assertEquals(UPSTREAM + "@acme/widget/-/widget-1.0.0.tgz", doc.version("1.0.0").tarball());
        assertEquals(INTEGRITY, doc.version("1.0.0").integrity());
        assertEquals("2024-02-01T00:00:00Z", doc.publishTime("2.0.0").toString());
        assertEquals("2.0.0", doc.resolveTag("latest"));
        assertEquals("1.0.0", NpmDownloads.findVersion(NAME, doc, "widget-1.0.0.tgz").version());
    }

    @Test
    void duplicateKeysTrailingContentAndNonObjectVersionsAreMalformed() {
        assertThrows(MalformedMetadataException.class, () -> Packument.parse(
                "{\"versions\":{\"1.0.0\":{\"dist\":{}},\"1.0.0\":{\"dist\":{}}}}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(MalformedMetadataException.class, () -> Packument.parse("{\"versions\":{}} {}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(MalformedMetadataException.class, () -> Packument.parse("{\"versions\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(MalformedMetadataException.class, () -> Packument.parse("[1]".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aVersionEntryThatIsNotAnObjectIsHiddenAsMalformed() throws Exception {
        Packument doc = Packument.parse("{\"name\":\"@acme/widget\",\"versions\":{\"1.0.0\":\"x\"}}".getBytes(StandardCharsets.UTF_8));
        PackumentFilter.Verdicts v = PackumentFilter.decide(NAME, doc, new TestGate());
        assertEquals("malformed_metadata", v.hidden().get(0).decision().code());
        assertEquals(0, JSON.readTree(PackumentFilter.render(NAME, doc, v, LINKS, false)).path("versions").size());
    }
}
