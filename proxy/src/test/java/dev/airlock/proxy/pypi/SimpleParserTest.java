package dev.airlock.proxy.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimpleParserTest {
    private static final URI PAGE = URI.create("https://index.example/simple/demo/");
    private static final String SHA = "ab".repeat(32);

    private static SimpleProject html(String body) throws MalformedMetadataException {
        return SimpleParser.parse(body.getBytes(StandardCharsets.UTF_8), "text/html", PAGE, "demo");
    }

    @Test
    void aRawGreaterThanSignInsideRequiresPythonDoesNotEndTheLink() throws Exception {
        SimpleProject p = html("<html><body>"
                + "<a href=\"../../f/demo-1.0-py3-none-any.whl#sha256=" + SHA + "\" data-requires-python=\">=3.8\">demo-1.0-py3-none-any.whl</a>"
                + "<a href=\"../../f/demo-1.1.tar.gz\" data-requires-python='>=3.9, <4'>demo-1.1.tar.gz</a>"
                + "</body></html>");
        assertEquals(2, p.files().size());
        ObjectNode whl = p.files().get(0);
        assertEquals("demo-1.0-py3-none-any.whl", whl.path("filename").asText());
        assertEquals(">=3.8", whl.path("requires-python").asText());
        assertEquals("https://index.example/f/demo-1.0-py3-none-any.whl", whl.path("url").asText());
        assertEquals(SHA, whl.path("hashes").path("sha256").asText());
        assertEquals(">=3.9, <4", p.files().get(1).path("requires-python").asText());
    }

    @Test
    void entitiesInAttributesAreDecodedOnce() throws Exception {
        SimpleProject p = html("<a href=\"/f/demo-1.0.tar.gz?x=1&amp;y=2\" data-requires-python=\"&gt;=3.8,&lt;4&#x2c;!=3.9.*\""
                + " data-yanked=\"broken &quot;build&quot;\">demo-1.0.tar.gz</a>");
        ObjectNode f = p.files().get(0);
        assertEquals(">=3.8,<4,!=3.9.*", f.path("requires-python").asText());
        assertEquals("broken \"build\"", f.path("yanked").asText());
        assertEquals("https://index.example/f/demo-1.0.tar.gz?x=1&y=2", f.path("url").asText());
    }

    @Test
    void anEmptyYankedAttributeMeansYankedWithoutAReason() throws Exception {
        SimpleProject p = html("<a href=\"/f/demo-1.0.tar.gz\" data-yanked>demo-1.0.tar.gz</a>"
                + "<a href=\"/f/demo-1.1.tar.gz\">demo-1.1.tar.gz</a>");
        assertTrue(p.files().get(0).path("yanked").asBoolean());
        assertFalse(p.files().get(1).has("yanked"));
    }

    @Test
    void theNewCoreMetadataNameWinsOverTheLegacyOne() throws Exception {
        String other = "cd".repeat(32);
        SimpleProject p = html("<a href=\"/f/a-1.0-py3-none-any.whl\" data-dist-info-metadata=\"sha256=" + other
                + "\" data-core-metadata=\"sha256=" + SHA + "\">a</a>"
                + "<a href=\"/f/demo-1.1-py3-none-any.whl\" data-dist-info-metadata=\"sha256=" + other + "\">b</a>"
                + "<a href=\"/f/demo-1.2-py3-none-any.whl\" data-core-metadata=\"true\">c</a>");
        assertEquals(SHA, p.files().get(0).path("core-metadata").path("sha256").asText());
        assertEquals(other, p.files().get(1).path("core-metadata").path("sha256").asText());
        assertTrue(p.files().get(2).path("core-metadata").asBoolean());
    }

    @Test
    void projectStatusMetaTagsAndProvenanceAreRead() throws Exception {
        SimpleProject p = html("<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.4\">"
                + "<meta name=\"pypi:project-status\" content=\"Archived\">"
                + "<meta name=\"pypi:project-status-reason\" content=\"moved to demo2 &amp; friends\"></head><body>"
                + "<a href=\"/f/demo-1.0.tar.gz\" data-provenance=\"/integrity/demo/1.0/demo-1.0.tar.gz/provenance\">demo-1.0.tar.gz</a>"
                + "</body></html>");
        ProjectStatus s = ProjectStatus.upstream(p);
        assertEquals("archived", s.status());
        assertEquals("moved to demo2 & friends", s.reason());
        assertEquals("https://index.example/integrity/demo/1.0/demo-1.0.tar.gz/provenance",
                p.files().get(0).path("provenance").asText());
    }

    @Test
    void linksWithoutHrefAndTextOutsideLinksAreIgnored() throws Exception {
        SimpleProject p = html("<html><body><h1>Links for demo</h1><a name=\"top\">anchor</a> 1 > 0 <br>"
                + "<a href=\"/f/demo-1.0.tar.gz\">demo-1.0.tar.gz</a></body></html>");
        assertEquals(1, p.files().size());
        assertEquals("demo-1.0.tar.gz", p.files().get(0).path("filename").asText());
    }

    @Test
    void aBodyThatIsNeitherHtmlNorJsonIsMalformed() {
        assertThrows(MalformedMetadataException.class, () -> html("just text"));
        assertThrows(MalformedMetadataException.class,
                () -> SimpleParser.parse("{}".getBytes(StandardCharsets.UTF_8), "application/vnd.pypi.simple.v1+json", PAGE, "demo"));
    }

    @Test
    void jsonPagesKeepUnknownKeysAndMakeProvenanceAbsolute() throws Exception {
        String json = "{\"meta\":{\"api-version\":\"1.4\"},\"name\":\"demo\",\"project-status\":{\"status\":\"deprecated\"},"
                + "\"files\":[{\"filename\":\"demo-1.0.tar.gz\",\"url\":\"../../f/demo-1.0.tar.gz\",\"hashes\":{},"
                + "\"provenance\":\"/integrity/demo/1.0/demo-1.0.tar.gz/provenance\",\"x-new\":1}]}";
        SimpleProject p = SimpleParser.parse(json.getBytes(StandardCharsets.UTF_8), "application/vnd.pypi.simple.v1+json", PAGE, "demo");
        assertEquals("deprecated", ProjectStatus.upstream(p).status());
        assertEquals(1, p.files().get(0).path("x-new").asInt());
        assertEquals("https://index.example/integrity/demo/1.0/demo-1.0.tar.gz/provenance", p.files().get(0).path("provenance").asText());
    }
}
