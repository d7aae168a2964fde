package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.model.Ecosystem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Harmless re-enactments of published incidents (test resources under {@code replays/}, one folder
 * each: the archive's files, {@code replay.properties} with the kind, the findings that must name the
 * block and optionally a previous release to compare with). The same folders are what
 * {@code bench/detection/replays.sh} packs and runs through {@code bin/airlock analyze --json}. Hosts
 * are reserved names, tokens fake, and nothing here runs.
 */
class IncidentReplayTest {
    @TempDir
    Path dir;

    private final Analyzer analyzer = Analyzer.staticOnly();

    static Path replays() throws URISyntaxException {
        return Path.of(IncidentReplayTest.class.getResource("replays").toURI());
    }

    static Stream<String> names() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(replays())) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    /** Packs a replay's tree as its kind's archive: npm tarballs keep their package/ prefix. */
    private static Path pack(Path dir, Path root, String kind, String name) throws IOException {
        return switch (kind) {
            case "npm" -> {
                Map<String, String> files = new TreeMap<>();
                tree(root.resolve("package")).forEach((k, v) -> files.put(k, v));
                yield Fixtures.npm(dir, name, files);
            }
            case "wheel" -> Fixtures.wheel(dir, name + "-1.0", tree(root.resolve("files")));
            case "sdist" -> Fixtures.sdist(dir, name + "-1.0", tree(root.resolve("files")));
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    @ParameterizedTest(name = "the {0} replay is blocked with the findings that name it")
    @MethodSource("names")
    void eachReplayIsBlockedWithItsNamedFindings(String name) throws Exception {
        Path root = replays().resolve(name);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(root.resolve("replay.properties"))) {
            p.load(in);
        }
        String kind = p.getProperty("kind");
        Ecosystem eco = kind.equals("npm") ? Ecosystem.NPM : Ecosystem.PYPI;
        PreviousVersion previous = null;
        if (p.getProperty("previous") != null) {
            Path before = Files.createDirectories(dir.resolve("previous"));
            previous = analyzer.describe(pack(before, root.resolve(p.getProperty("previous")), kind, name), eco);
        }
        AnalysisResult r = analyzer.analyzeWithoutSandbox(pack(dir, root, kind, name),
                AnalysisRequest.of(eco, false).withPrevious(previous));
        Set<String> rules = r.findings().stream().map(Finding::rule).collect(Collectors.toSet());
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        for (String rule : List.of(p.getProperty("expect").split("\\s+"))) {
            assertTrue(rules.contains(rule), rule + " missing from " + r.findings());
        }
    }

    @Test
    void everyIncidentTheIssueNamesHasAReplay() throws Exception {
        Set<String> present = names().collect(Collectors.toSet());
        for (String required : List.of("shai-hulud-1", "shai-hulud-2", "nx-s1ngularity", "chalk-clipper", "plain-crypto-js",
                "litellm-pth", "dns-label-exfiltration")) {
            assertTrue(present.contains(required), required + " missing from " + present);
        }
    }
}
