package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's report folds into findings; the sandbox here is a recorded report, the rules are real. */
class DynamicFindingsTest {
    @TempDir
    Path dir;

    private AnalysisResult analyse(BehaviorReport.Phase install) throws Exception {
        BehaviorReport report = new BehaviorReport("runc", "test", List.of(install));
        Sandbox recorded = new Sandbox() {
            @Override
            public boolean available() {
                return true;
            }

            @Override
            public String status() {
                return "recorded";
            }

            @Override
            public BehaviorReport run(Path artifact, Ecosystem ecosystem) {
                return report;
            }
        };
        Path p = Fixtures.npm(dir, "d" + System.nanoTime(), Fixtures.files("package.json", Fixtures.packageJson("d", "1.0.0", "")));
        return new Analyzer(recorded, ArchiveLimits.defaults(), Set.of("registry.example")).analyze(p, null, true);
    }

    private static BehaviorReport.Phase phase(List<BehaviorReport.NetworkAttempt> net, List<BehaviorReport.DnsQuery> dns,
                                              List<BehaviorReport.BaitAccess> baits, List<BehaviorReport.FileAccess> files) {
        return new BehaviorReport.Phase("install", "completed", 0, 10, files, List.of(), net, dns, baits, 0);
    }

    @Test
    void anInstallThatRanOutItsDeadlineIsNotAllowed() throws Exception {
        AnalysisResult r = analyse(new BehaviorReport.Phase("install", "timeout", null, 60_000, List.of(), List.of(),
                List.of(), List.of(), List.of(), 0));
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation());
        assertEquals("sandbox_timeout", r.findings().get(0).rule());
    }

    @Test
    void aHoneytokenReadBlocks() throws Exception {
        AnalysisResult r = analyse(phase(List.of(), List.of(),
                List.of(new BehaviorReport.BaitAccess("npm-token", "/home/u/.npmrc", "read")), List.of()));
        assertEquals(Recommendation.MALICIOUS, r.recommendation());
        assertEquals("honeytoken_access", r.findings().get(0).rule());
        assertEquals("dynamic", r.findings().get(0).source());
        assertTrue(r.behavior() != null && r.dynamicMs() >= 0);
    }

    @Test
    void registryTrafficIsExpectedButAnOtherHostDuringInstallBlocks() throws Exception {
        AnalysisResult ok = analyse(phase(List.of(new BehaviorReport.NetworkAttempt("198.18.0.2", 443, "registry.example")),
                List.of(new BehaviorReport.DnsQuery("registry.example")), List.of(), List.of()));
        assertEquals(Recommendation.CLEAN, ok.recommendation(), ok.findings().toString());
        AnalysisResult odd = analyse(phase(List.of(new BehaviorReport.NetworkAttempt("198.18.0.3", 443, "collector.example")),
                List.of(new BehaviorReport.DnsQuery("collector.example")), List.of(), List.of()));
        assertEquals(Recommendation.MALICIOUS, odd.recommendation(), odd.findings().toString());
    }

    @Test
    void anOutsideConnectionPlusACredentialReadBlocks() throws Exception {
        AnalysisResult r = analyse(phase(List.of(new BehaviorReport.NetworkAttempt("45.33.12.7", 80, null)), List.of(), List.of(),
                List.of(new BehaviorReport.FileAccess("/home/u/.ssh/id_rsa", true, false, false))));
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
    }
}
