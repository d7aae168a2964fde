package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.rules.PreviousVersion;
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
        return analyse(install, null);
    }

    private AnalysisResult analyse(BehaviorReport.Phase install, PreviousVersion previous) throws Exception {
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
        return new Analyzer(recorded, ArchiveLimits.defaults(), Set.of("registry.example")).analyze(p, null, null, true, null, previous);
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

    @Test
    void aHostThePreviousAllowedVersionAlsoContactedIsWeighedButANewHostStillBlocks() throws Exception {
        BehaviorReport.Phase telemetry = phase(List.of(new BehaviorReport.NetworkAttempt("198.18.0.7", 443, "telemetry.example")),
                List.of(new BehaviorReport.DnsQuery("telemetry.example")), List.of(), List.of());
        PreviousVersion habit = new PreviousVersion("0.9.0", new BehaviorReport("runc", "test", List.of(
                phase(List.of(new BehaviorReport.NetworkAttempt("198.18.0.2", 443, "telemetry.example")),
                        List.of(new BehaviorReport.DnsQuery("telemetry.example")), List.of(), List.of()))));
        AnalysisResult same = analyse(telemetry, habit);
        assertEquals(Recommendation.CLEAN, same.recommendation(), same.findings().toString());
        assertTrue(same.findings().stream().anyMatch(f -> f.rule().equals("unexpected_connection")
                && f.message().contains("previous allowed version (0.9.0)")), same.findings().toString());

        BehaviorReport.Phase newHost = phase(List.of(new BehaviorReport.NetworkAttempt("198.18.0.7", 443, "collector.example")),
                List.of(new BehaviorReport.DnsQuery("collector.example")), List.of(), List.of());
        AnalysisResult changed = analyse(newHost, habit);
        assertEquals(Recommendation.MALICIOUS, changed.recommendation(), changed.findings().toString());
    }

    @Test
    void pipsBuildBackendSubprocessIsTheInstallersMachineryAndNoFinding() throws Exception {
        BehaviorReport.Phase build = new BehaviorReport.Phase("install", "completed", 0, 10, List.of(),
                List.of(new BehaviorReport.Command(List.of("/usr/local/bin/python3",
                        "/usr/local/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py",
                        "get_requires_for_build_wheel", "/tmp/tmpab12"))), List.of(), List.of(), List.of(), 0);
        AnalysisResult r = analyse(build);
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
        assertTrue(r.findings().stream().noneMatch(f -> f.source().equals("dynamic")), r.findings().toString());
    }

    @Test
    void aShellSpawnedAsTheModuleIsImportedBlocks() throws Exception {
        BehaviorReport.Phase imp = new BehaviorReport.Phase("import", "completed", 0, 10, List.of(),
                List.of(new BehaviorReport.Command(List.of("/bin/sh", "-c", "echo hi"))), List.of(), List.of(), List.of(), 0);
        AnalysisResult r = analyse(imp);
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals("shell_spawned")), r.findings().toString());
    }

    private static BehaviorReport.Phase executed(List<BehaviorReport.NetworkAttempt> net, List<BehaviorReport.DnsQuery> dns,
                                                 List<BehaviorReport.BaitAccess> baits, List<BehaviorReport.FileAccess> files) {
        return new BehaviorReport.Phase("execute", "completed", 0, 10, files, List.of(), net, dns, baits, 0);
    }

    @Test
    void aCalledFunctionThatReachesItsServiceIsWeighedNotBlocked() throws Exception {
        AnalysisResult r = analyse(executed(List.of(new BehaviorReport.NetworkAttempt("198.18.0.3", 443, "api.example")),
                List.of(new BehaviorReport.DnsQuery("api.example")), List.of(), List.of()));
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals("unexpected_dns")), r.findings().toString());
    }

    @Test
    void aCalledFunctionThatReadsSecretsAndReachesOutBlocks() throws Exception {
        AnalysisResult r = analyse(executed(List.of(new BehaviorReport.NetworkAttempt("198.18.0.3", 443, "drop.example")),
                List.of(), List.of(), List.of(new BehaviorReport.FileAccess("/home/u/.aws/credentials", true, false, false))));
        assertEquals(Recommendation.MALICIOUS, r.recommendation(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.rule().equals("credential_exfiltration_attempt")), r.findings().toString());
    }

    @Test
    void aPlantedSecretSentByACalledFunctionBlocksButOnlyReadingItIsWeighed() throws Exception {
        AnalysisResult sent = analyse(executed(List.of(), List.of(),
                List.of(new BehaviorReport.BaitAccess("aws-credentials", "/home/u/.aws/credentials", "sent")), List.of()));
        assertEquals(Recommendation.MALICIOUS, sent.recommendation(), sent.findings().toString());
        AnalysisResult read = analyse(executed(List.of(), List.of(),
                List.of(new BehaviorReport.BaitAccess("aws-credentials", "/home/u/.aws/credentials", "read")), List.of()));
        assertEquals(Recommendation.CLEAN, read.recommendation(), read.findings().toString());
    }

    @Test
    void aCalledFunctionThatWritesAShellStartupFileIsQuarantinedForAPerson() throws Exception {
        AnalysisResult r = analyse(executed(List.of(), List.of(), List.of(),
                List.of(new BehaviorReport.FileAccess("/home/u/.bashrc", false, true, false))));
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation(), r.findings().toString());
    }

    @Test
    void anExecutePhaseThatRanOutItsDeadlineIsNoFinding() throws Exception {
        AnalysisResult r = analyse(new BehaviorReport.Phase("execute", "timeout", null, 30_000, List.of(), List.of(),
                List.of(), List.of(), List.of(), 0));
        assertEquals(Recommendation.CLEAN, r.recommendation(), r.findings().toString());
    }
}
