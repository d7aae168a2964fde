package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.analysis.rules.ReleaseFacts;
import dev.airlock.model.Ecosystem;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A release compared with the package's previous allowed one, and with the popular names it may imitate. */
class ReleaseHistoryTest {
    private static final Instant RELEASED = Instant.parse("2026-09-08T13:00:00Z");

    @TempDir
    Path dir;

    private final Analyzer analyzer = Analyzer.staticOnly();

    private Path npm(String version, String packageJsonExtra, String... files) throws Exception {
        String[] all = new String[files.length + 2];
        all[0] = "package.json";
        all[1] = "{\"name\":\"tidy\",\"version\":\"" + version + "\",\"main\":\"index.js\"" + packageJsonExtra + "}";
        System.arraycopy(files, 0, all, 2, files.length);
        return Fixtures.npm(dir, "tidy-" + version, Fixtures.files(all));
    }

    private static Set<String> rules(AnalysisResult r) {
        return r.findings().stream().map(Finding::rule).collect(Collectors.toSet());
    }

    @Test
    void aDependencyFirstPublishedHoursBeforeTheReleaseThatAddsItIsQuarantined() throws Exception {
        PreviousVersion before = analyzer.describe(npm("1.0.0", ",\"dependencies\":{\"left\":\"^1.0.0\"}",
                "index.js", "module.exports = 1;\n"), Ecosystem.NPM);
        Path now = npm("1.0.1", ",\"dependencies\":{\"left\":\"^1.0.0\",\"plain-crypto\":\"^4.2.1\"}", "index.js", "module.exports = 1;\n");
        ReleaseFacts facts = new ReleaseFacts(null, null, RELEASED, RELEASED,
                Map.of("plain-crypto", RELEASED.minus(Duration.ofHours(20)), "left", RELEASED.minus(Duration.ofDays(900))));
        AnalysisResult r = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false).withPrevious(before).withRelease(facts));
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
        Finding fresh = r.findings().stream().filter(f -> f.rule().equals("fresh_dependency_added")).findFirst().orElseThrow();
        assertEquals("plain-crypto", fresh.evidence());
        assertTrue(fresh.message().contains("20 hours"), fresh.message());

        AnalysisResult firstRelease = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false).withRelease(facts));
        assertEquals(Recommendation.CLEAN, firstRelease.recommendation(), "a first release has nothing to compare with");
    }

    @Test
    void aNewPublisherWhoAlsoDroppedTheProvenanceIsQuarantinedButEitherAloneIsOnlyReported() throws Exception {
        Path old = npm("2.0.0", ",\"author\":\"Ann <ann@example.org>\"", "index.js", "module.exports = 2;\n");
        PreviousVersion attested = new PreviousVersion("2.0.0", null, analyzer.describe(old, Ecosystem.NPM).manifest(),
                Set.of(), "ann@example.org", new ReleaseFacts("ann", true, RELEASED.minus(Duration.ofDays(40)), null, Map.of()));
        Path now = npm("2.0.1", ",\"author\":\"Ann <ann@example.org>\"", "index.js", "module.exports = 2;\n");
        AnalysisRequest base = AnalysisRequest.of(Ecosystem.NPM, false).withPrevious(attested);

        AnalysisResult both = analyzer.analyzeWithoutSandbox(now, base.withRelease(new ReleaseFacts("mallory", false, RELEASED, RELEASED, Map.of())));
        assertEquals(Recommendation.SUSPICIOUS, both.recommendation(), both.findings().toString());
        assertTrue(rules(both).containsAll(Set.of("publisher_changed", "provenance_dropped")), both.findings().toString());

        AnalysisResult onlyDropped = analyzer.analyzeWithoutSandbox(now, base.withRelease(new ReleaseFacts("ann", false, RELEASED, RELEASED, Map.of())));
        assertEquals(Recommendation.CLEAN, onlyDropped.recommendation(), onlyDropped.findings().toString());
        assertTrue(rules(onlyDropped).contains("provenance_dropped"), onlyDropped.findings().toString());

        AnalysisResult unknown = analyzer.analyzeWithoutSandbox(now, base);
        assertTrue(rules(unknown).stream().noneMatch(r -> r.equals("provenance_dropped") || r.equals("publisher_changed")),
                "unknown facts are no evidence: " + unknown.findings());
    }

    @Test
    void anInstallScriptAddedToAPackageThatHadNoneIsReported() throws Exception {
        PreviousVersion before = analyzer.describe(npm("3.0.0", "", "index.js", "module.exports = 3;\n"), Ecosystem.NPM);
        Path now = npm("3.0.1", ",\"scripts\":{\"postinstall\":\"node setup.js\"}", "index.js", "module.exports = 3;\n",
                "setup.js", "console.log('thanks for installing');\n");
        AnalysisResult r = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false).withPrevious(before));
        assertTrue(rules(r).contains("install_script_added"), r.findings().toString());
    }

    @Test
    void installCodeThatGainsIntentThePreviousReleaseDidNotHaveIsQuarantinedEvenWhenTheRulesAloneWouldNot() throws Exception {
        String scripts = ",\"scripts\":{\"postinstall\":\"node setup.js\"}";
        PreviousVersion before = analyzer.describe(npm("4.0.0", scripts, "setup.js", "console.log('ok');\n"), Ecosystem.NPM);
        // Collecting the user's environment on install, with nothing yet that sends it: alone, a person's look at most.
        Path now = npm("4.0.1", scripts, "setup.js", "const os = require('os');\n"
                + "const info = [os.hostname(), os.userInfo().username, JSON.stringify(process.env)];\n"
                + "require('fs').writeFileSync(os.tmpdir() + '/i', info.join('|'));\n");
        AnalysisResult alone = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false));
        AnalysisResult compared = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false).withPrevious(before));
        assertTrue(rules(compared).contains("new_install_or_import_behavior"), compared.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, compared.recommendation(), compared.findings().toString());
        assertTrue(alone.recommendation() != Recommendation.MALICIOUS, alone.findings().toString());
    }

    @Test
    void aFileUploadedMonthsAfterItsVersionIsReported() throws Exception {
        Path now = npm("5.0.0", "", "index.js", "module.exports = 5;\n");
        AnalysisResult r = analyzer.analyzeWithoutSandbox(now, AnalysisRequest.of(Ecosystem.NPM, false).withRelease(
                new ReleaseFacts(null, null, RELEASED.minus(Duration.ofDays(400)), RELEASED, Map.of())));
        assertTrue(rules(r).contains("file_added_to_old_release"), r.findings().toString());
    }

    @Test
    void analyzeReportsALookAlikeNameAndComparesWithThePreviousRelease() throws Exception {
        Path old = npm("6.0.0", "", "index.js", "module.exports = 6;\n");
        Path now = npm("6.0.1", ",\"scripts\":{\"preinstall\":\"node x.js\"}", "index.js", "module.exports = 6;\n", "x.js", "1;\n");
        NameCheck names = (eco, name) -> name.equals("tidy") ? Optional.of("'tiny' (one letter changed, rank 12)") : Optional.empty();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = dev.airlock.analysis.cli.AnalyzeCommandAccess.run(new String[]{"--json", "--no-sandbox", "--previous",
                old.toString(), now.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), names);
        String json = out.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, json);
        assertTrue(json.contains("\"rule\":\"typosquat\"") && json.contains("'tiny'"), json);
        assertTrue(json.contains("\"rule\":\"install_script_added\""), json);
        assertTrue(json.contains("\"verdict\":\"quarantine\""), json);
    }

    @Test
    void theAnalyzerTakesTheNameCheckItIsGiven() throws Exception {
        Analyzer withNames = new Analyzer(null, ArchiveLimits.defaults(), Set.of(),
                (eco, name) -> Optional.of("'tiny' (one letter changed, rank 12)"));
        AnalysisResult r = withNames.analyzeStatic(npm("7.0.0", "", "index.js", "1;\n"), Ecosystem.NPM);
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation());
        assertEquals("typosquat", r.findings().get(0).rule());
    }
}
