package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The PyPI simple pages as Airlock serves them: what uv and cooldown tools rely on (upload-time)
 * and what makes pip fetch through the proxy (rewritten file URLs, PEP 658 metadata beside them).
 */
class SimpleApiThroughAirlockTest extends AllowAllRigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HREF = Pattern.compile("<a\\s[^>]*href=\"([^\"]+)\"[^>]*>([^<]+)</a>");
    private static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, "
            + "application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    private static String projectPage() {
        return rig.pypiIndex() + PythonFixtures.PROJECT + "/";
    }

    private static JsonNode jsonPage() throws Exception {
        HttpResponse<byte[]> r = rig.get(projectPage(), PIP_ACCEPT);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(FakeRegistry.PYPI_JSON),
                "PEP 691 content type: " + r.headers().map());
        return JSON.readTree(r.body());
    }

    @Test
    void theJsonPageKeepsUploadTimeAndPointsEveryFileAtTheProxy() throws Exception {
        JsonNode page = jsonPage();

        assertEquals(rig.upstream().pyFiles().size(), page.path("files").size(), page.toPrettyString());
        for (JsonNode file : page.path("files")) {
            PythonFixtures.PyFile fixture = rig.upstream().pyFile(file.path("filename").asText());
            assertTrue(file.path("url").asText().startsWith(rig.base() + "pypi/files/"), file.toString());
            assertTrue(file.path("url").asText().endsWith("/" + fixture.filename()), file.toString());
            assertEquals(fixture.sha256(), file.path("hashes").path("sha256").asText());
            assertEquals(FakeRegistry.UPLOAD_TIME.format(fixture.uploadTime()), file.path("upload-time").asText(),
                    "upload-time kept: " + file);
            assertEquals(PythonFixtures.REQUIRES_PYTHON, file.path("requires-python").asText());
            assertEquals(fixture.bytes().length, file.path("size").asInt());
            assertTrue(file.has("provenance"), "unknown keys pass through: " + file);
        }
    }

    @Test
    void theHtmlPageKeepsHashFragmentsAndPointsEveryFileAtTheProxy() throws Exception {
        HttpResponse<byte[]> r = rig.get(projectPage(), "text/html");
        assertEquals(200, r.statusCode());
        String html = new String(r.body(), StandardCharsets.UTF_8);

        List<String> seen = new ArrayList<>();
        Matcher m = HREF.matcher(html);
        while (m.find()) {
            PythonFixtures.PyFile fixture = rig.upstream().pyFile(m.group(2).strip());
            assertTrue(m.group(1).startsWith(rig.base() + "pypi/files/"), m.group());
            assertTrue(m.group(1).endsWith("/" + fixture.filename() + "#sha256=" + fixture.sha256()), m.group());
            assertTrue(m.group().contains("data-requires-python=\"&gt;=3.8\""), m.group());
            seen.add(fixture.filename());
        }
        assertEquals(rig.upstream().pyFiles().size(), seen.size(), html);
    }

    @Test
    void theCoreMetadataAndTheFileAreServedAtTheRewrittenUrls() throws Exception {
        for (JsonNode file : jsonPage().path("files")) {
            PythonFixtures.PyFile fixture = rig.upstream().pyFile(file.path("filename").asText());
            String url = file.path("url").asText();
            HttpResponse<byte[]> body = rig.get(url, null);
            assertEquals(200, body.statusCode(), url);
            assertArrayEquals(fixture.bytes(), body.body(), "unchanged bytes for " + url);
            assertTrue(body.headers().firstValue("Content-Encoding").isEmpty(), "never re-encoded: " + url);
            if (fixture.coreMetadata() != null) {
                assertEquals(Digests.sha256Hex(fixture.coreMetadata()),
                        file.path("core-metadata").path("sha256").asText(), file.toString());
                HttpResponse<byte[]> metadata = rig.get(url + ".metadata", null);
                assertEquals(200, metadata.statusCode(), url + ".metadata");
                assertArrayEquals(fixture.coreMetadata(), metadata.body());
            }
        }
    }

    @Test
    void aNonNormalisedProjectNameIsRedirectedToTheNormalisedPage() throws Exception {
        HttpResponse<byte[]> r = rig.get(rig.pypiIndex() + "Airlock_Demo/", "text/html");

        assertTrue(r.statusCode() == 301 || r.statusCode() == 308, "redirect, got " + r.statusCode());
        assertTrue(r.headers().firstValue("Location").orElse("").endsWith("/pypi/simple/airlock-demo/"),
                r.headers().map().toString());
    }
}
