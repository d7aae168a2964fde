package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PolicyGateTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Instant MINUTES_AGO = NOW.minus(Duration.ofMinutes(5));
    static final Instant MONTHS_AGO = NOW.minus(Duration.ofDays(90));
    static final DownloadContext WHO = new DownloadContext("127.0.0.1", "npm/10.8.2", "left-pad-1.0.0.tgz");

    @RegisterExtension
    final PolicyFixture fixture = new PolicyFixture(NOW);
    final MutableClock clock = fixture.clock;
    final TestQueue queue = fixture.queue;
    PolicyEngine engine;

    PolicyGate open(PolicyConfig policy, StaticCheck check) {
        engine = fixture.open(policy, check);
        return engine.gate();
    }

    static PolicyConfig policy(String mode, String hold, Duration wait) {
        return new PolicyConfig(mode, hold, wait, null, null, null, null, null, null);
    }

    PolicyGate open() {
        return open(policy(null, null, Duration.ofMillis(300)), null);
    }

    static PackageCoordinate npm(String name, String version) {
        return PackageCoordinate.of(Ecosystem.NPM, name, version);
    }

    static Decision await(java.util.concurrent.CompletionStage<Decision> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aVersionPublishedMinutesAgoIsHiddenPendingAndQueued() {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.3.1");
        Decision d = gate.listed(c, MINUTES_AGO);
        assertFalse(d.serve());
        assertEquals("quarantined_pending", d.code());
        assertEquals("Quarantined: analysis pending", d.message());
        assertTrue(queue.submitted(c, AnalysisPriority.NEW_VERSION));
        Verdict v = engine.admin().version(c);
        assertEquals(VerdictState.PENDING, v.state());
        assertEquals(NOW, v.firstSeen());
        assertEquals("analysis_pending", v.primaryReason().code());
    }

    @Test
    void anOlderVersionIsListedAndAnUnknownPublishTimeCountsAsNew() {
        PolicyGate gate = open();
        assertTrue(gate.listed(npm("left-pad", "1.0.0"), MONTHS_AGO).serve());
        assertFalse(gate.listed(npm("left-pad", "1.1.0"), null).serve());
        assertFalse(queue.submitted(npm("left-pad", "1.0.0"), AnalysisPriority.NEW_VERSION));
    }

    @Test
    void aDirectDownloadOfAPendingVersionWaitsThenGetsRetryAfter() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.3.1");
        long start = System.nanoTime();
        Decision d = await(gate.beforeDownload(c, MINUTES_AGO, WHO));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertFalse(d.serve());
        assertEquals("Quarantined: analysis pending", d.message());
        assertTrue(d.retryAfterSeconds() > 0);
        assertTrue(waitedMs >= 250, "did not wait for the hold: " + waitedMs + " ms");
        assertTrue(queue.submitted(c, AnalysisPriority.DOWNLOAD_WAITING));
    }

    @Test
    void aWaitingDownloadIsServedAsSoonAsACleanResultArrives() throws Exception {
        PolicyGate gate = open(policy(null, null, Duration.ofSeconds(15)), null);
        PackageCoordinate c = npm("left-pad", "1.3.1");
        CompletableFuture<Decision> waiting = gate.beforeDownload(c, MINUTES_AGO, WHO).toCompletableFuture();
        Thread.sleep(100);
        assertFalse(waiting.isDone());
        long start = System.nanoTime();
        queue.deliver(c, Recommendation.CLEAN);
        Decision d = waiting.get(5, TimeUnit.SECONDS);
        assertTrue(d.serve());
        assertTrue((System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(2));
        assertTrue(gate.listed(c, MINUTES_AGO).serve());
        assertEquals("analysis_clean", engine.admin().version(c).primaryReason().code());
    }

    @Test
    void analysisResultsBecomeVerdictsThatExplainThemselves() {
        PolicyGate gate = open();
        PackageCoordinate bad = npm("evil", "1.0.0");
        PackageCoordinate odd = npm("odd", "1.0.0");
        gate.listed(bad, MINUTES_AGO);
        gate.listed(odd, MINUTES_AGO);
        queue.deliver(bad, Recommendation.MALICIOUS, new Finding("install_script_network", "critical", "dynamic",
                "install script sends environment variables to a remote host", "curl x", "package.json:5"));
        queue.deliver(odd, Recommendation.SUSPICIOUS);
        Decision d = gate.listed(bad, MINUTES_AGO);
        assertFalse(d.serve());
        assertEquals("install_script_network", d.code());
        assertTrue(d.message().startsWith("Blocked: install script sends"), d.message());
        assertEquals(VerdictState.BLOCKED, engine.admin().version(bad).state());
        assertEquals("analysis", engine.admin().version(bad).decidedBy());
        assertEquals(VerdictState.QUARANTINED, engine.admin().version(odd).state());
        assertEquals("analysis_suspicious", gate.listed(odd, MINUTES_AGO).code());
        assertTrue(engine.admin().audit(null, 10).stream().anyMatch(a -> a.target().equals(bad.toString())
                && "blocked".equals(a.newState())));
    }

    @Test
    void anOlderVersionIsStaticallyCheckedOnItsFirstDownloadAndSweptLater() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        StaticCheck check = (c, path) -> {
            runs.incrementAndGet();
            return TestQueue.result(c, c.name().equals("sneaky") ? Recommendation.SUSPICIOUS : Recommendation.CLEAN);
        };
        PolicyGate gate = open(policy(null, null, Duration.ofSeconds(5)), check);
        PackageCoordinate fine = npm("fine", "1.0.0");
        PackageCoordinate sneaky = npm("sneaky", "1.0.0");
        assertTrue(await(gate.beforeDownload(fine, MONTHS_AGO, WHO)).serve());
        assertTrue(await(gate.afterFetch(fine, fixture.dir(), "00")).serve());
        // Handed to the queue once first downloads are quiet (BackgroundSubmissions).
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BackgroundSubmissions.QUIET_MILLIS + 10_000);
        while (!queue.submitted(fine, AnalysisPriority.BACKGROUND_SWEEP) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertTrue(queue.submitted(fine, AnalysisPriority.BACKGROUND_SWEEP));
        assertTrue(await(gate.afterFetch(fine, fixture.dir(), "00")).serve());
        assertEquals(1, runs.get(), "the static check ran again for an analysed version");
        assertTrue(await(gate.beforeDownload(sneaky, MONTHS_AGO, WHO)).serve());
        Decision d = await(gate.afterFetch(sneaky, fixture.dir(), "00"));
        assertFalse(d.serve());
        assertTrue(d.message().startsWith("Quarantined:"), d.message());
        // A later full analysis that finds malware takes effect from then on.
        queue.deliver(fine, Recommendation.MALICIOUS);
        assertFalse(await(gate.beforeDownload(fine, MONTHS_AGO, WHO)).serve());
    }

    @Test
    void aStaticCheckPastItsDeadlineRefusesNowAndServesOnceItFinished() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        StaticCheck slow = (c, path) -> {
            release.get(20, TimeUnit.SECONDS);
            return TestQueue.result(c, Recommendation.CLEAN);
        };
        PolicyGate gate = open(policy(null, null, Duration.ofMillis(200)), slow);
        PackageCoordinate c = npm("slowpoke", "2.0.0");
        assertTrue(await(gate.beforeDownload(c, MONTHS_AGO, WHO)).serve());
        Decision d = await(gate.afterFetch(c, fixture.dir(), "00"));
        assertFalse(d.serve());
        assertEquals("static_check_pending", d.code());
        assertTrue(d.retryAfterSeconds() > 0);
        release.complete(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.admin().version(c).analysisStage() == AnalysisStage.NONE && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(await(gate.afterFetch(c, fixture.dir(), "00")).serve());
    }

    @Test
    void internalScopesAreBlockedAsDependencyConfusionUnlessAllowListed() {
        PolicyConfig p = new PolicyConfig(null, null, null, null,
                new PolicyConfig.Internal(List.of("@acme"), Map.of("pypi", List.of("acme-*"))), null,
                List.of(new PolicyConfig.Rule("npm", "@acme/public-*", null, null)), null, null);
        PolicyGate gate = open(p, null);
        Decision d = gate.listed(npm("@acme/secrets", "1.0.0"), MONTHS_AGO);
        assertFalse(d.serve());
        assertEquals("dependency_confusion", d.code());
        assertTrue(d.message().contains("internal names") && d.message().contains("dependency confusion"), d.message());
        assertEquals("dependency_confusion",
                gate.listed(PackageCoordinate.of(Ecosystem.PYPI, "Acme_Billing", "1.0"), MONTHS_AGO).code());
        assertTrue(gate.listed(npm("@acme/public-ui", "1.0.0"), MINUTES_AGO).serve(), "allow-listed names skip holds too");
    }

    @Test
    void denyRulesMatchVersionRanges() {
        PolicyConfig p = new PolicyConfig(null, null, null, null, null,
                List.of(new PolicyConfig.Rule("npm", "event-stream", ">=3.3.6 <4", "flatmap-stream incident"),
                        new PolicyConfig.Rule("pypi", "colourama", null, null)), null, null, null);
        PolicyGate gate = open(p, null);
        Decision d = gate.listed(npm("event-stream", "3.3.6"), MONTHS_AGO);
        assertEquals("denied_by_rule", d.code());
        assertTrue(d.message().contains("flatmap-stream incident"));
        assertTrue(gate.listed(npm("event-stream", "3.3.5"), MONTHS_AGO).serve());
        assertEquals("denied_by_rule", gate.listed(PackageCoordinate.of(Ecosystem.PYPI, "colourama", "0.1"), MONTHS_AGO).code());
    }

    @Test
    void aLookAlikeNameIsQuarantinedNamingThePackageItImitates() {
        PolicyGate gate = open();
        Decision d = gate.listed(npm("loadsh", "4.17.21"), MONTHS_AGO);
        assertFalse(d.serve());
        assertEquals("typosquat", d.code());
        assertTrue(d.message().contains("'lodash'"), d.message());
        assertEquals(VerdictState.QUARANTINED, engine.admin().version(npm("loadsh", "4.17.21")).state());
        assertTrue(gate.listed(npm("lodash", "4.17.21"), MONTHS_AGO).serve());
    }

    @Test
    void minimumAgeHidesYoungVersionsWhateverTheAnalysisSays() {
        PolicyConfig p = new PolicyConfig(null, null, Duration.ofMillis(100), Duration.ofDays(3), null, null, null, null, null);
        PolicyGate gate = open(p, null);
        PackageCoordinate c = npm("fresh", "1.0.0");
        gate.listed(c, NOW.minus(Duration.ofDays(1)));
        queue.deliver(c, Recommendation.CLEAN);
        Decision d = gate.listed(c, NOW.minus(Duration.ofDays(1)));
        assertFalse(d.serve());
        assertEquals("minimum_age", d.code());
        clock.advance(Duration.ofDays(3));
        assertTrue(gate.listed(c, NOW.minus(Duration.ofDays(1))).serve());
    }

    @Test
    void auditModeServesEverythingButSaysWhatItWouldHaveDone() throws Exception {
        PolicyGate gate = open(policy("audit", null, Duration.ofSeconds(5)), null);
        PackageCoordinate c = npm("left-pad", "9.9.9");
        Decision d = gate.listed(c, MINUTES_AGO);
        assertTrue(d.serve());
        assertEquals("audit_quarantined_pending", d.code());
        long start = System.nanoTime();
        assertTrue(await(gate.beforeDownload(c, MINUTES_AGO, WHO)).serve());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "audit mode must not hold downloads");
        assertEquals(VerdictState.PENDING, engine.admin().version(c).state());
    }

    @Test
    void holdAlwaysMakesEveryNeverSeenVersionWait() {
        PolicyGate gate = open(policy(null, "always", Duration.ofMillis(100)), null);
        PackageCoordinate c = npm("ancient", "0.0.1");
        assertFalse(gate.listed(c, MONTHS_AGO.minus(Duration.ofDays(3000))).serve());
        assertTrue(queue.submitted(c, AnalysisPriority.NEW_VERSION));
        queue.deliver(c, Recommendation.CLEAN);
        assertTrue(gate.listed(c, MONTHS_AGO).serve());
    }

    @Test
    void adminOverridesWinAreAuditedAndExpire() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate fresh = npm("left-pad", "1.3.1");
        PackageCoordinate old = npm("left-pad", "1.0.0");
        gate.listed(fresh, MINUTES_AGO);
        gate.listed(old, MONTHS_AGO);
        PolicyAdmin admin = engine.admin();
        admin.override(fresh, OverrideAction.ALLOW, "reviewed by security", null, "token:abcd");
        assertTrue(gate.listed(fresh, MINUTES_AGO).serve());
        assertTrue(await(gate.beforeDownload(fresh, MINUTES_AGO, WHO)).serve());
        admin.override(old, OverrideAction.BLOCK, "CVE-2099-1 exploited", NOW.plus(Duration.ofHours(1)), "token:abcd");
        Decision d = await(gate.beforeDownload(old, MONTHS_AGO, WHO));
        assertFalse(d.serve());
        assertEquals("admin_block", d.code());
        assertTrue(d.message().contains("CVE-2099-1 exploited"), d.message());
        List<AuditEntry> log = admin.audit(null, 100);
        assertEquals(List.of("override_allow", "override_block"), log.stream().map(AuditEntry::action).toList());
        assertEquals("pending", log.get(0).previousState());
        assertEquals("allowed", log.get(0).newState());
        assertEquals("token:abcd", log.get(1).who());
        clock.advance(Duration.ofHours(2));
        assertTrue(gate.listed(old, MONTHS_AGO).serve(), "an expired override must stop applying");
        admin.override(new PackageId(Ecosystem.NPM, "left-pad"), OverrideAction.BLOCK, "whole package", null, "token:abcd");
        assertTrue(gate.listed(fresh, MINUTES_AGO).serve(), "the version's own override is more specific than the package's");
        assertEquals("admin_block", gate.listed(old, MONTHS_AGO).code());
    }

    @Test
    void removingAnOverrideRestoresThePolicyAndIsLogged() {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.3.1");
        gate.listed(c, MINUTES_AGO);
        PolicyAdmin admin = engine.admin();
        admin.override(c.packageId(), OverrideAction.ALLOW, "trusted vendor", null, "t");
        assertTrue(gate.listed(c, MINUTES_AGO).serve());
        assertTrue(admin.removeOverride(c.packageId(), null, "t").isPresent());
        assertFalse(gate.listed(c, MINUTES_AGO).serve());
        assertTrue(admin.removeOverride(c.packageId(), null, "t").isEmpty());
        assertEquals("override_removed", admin.audit(null, 10).get(1).action());
    }

    @Test
    void anImportedMalwareRecordBlocksItsVersionNamesItAndShowsInNpmAudit() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("evil-pkg", "1.0.2");
        gate.listed(npm("evil-pkg", "1.0.0"), MONTHS_AGO);
        String osv = """
                {"id":"MAL-2026-42","summary":"Malicious code in evil-pkg (npm)",
                 "affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},"versions":["1.0.2"]}]}""";
        engine.admin().importOsv(osv.getBytes(StandardCharsets.UTF_8), "api", "token:abcd");
        Decision d = gate.listed(c, MONTHS_AGO);
        assertEquals("known_malware", d.code());
        assertTrue(d.message().contains("MAL-2026-42"));
        Verdict v = engine.admin().version(c);
        assertEquals("feed:MAL-2026-42", v.decidedBy());
        assertTrue(engine.admin().versions(VerdictState.BLOCKED, Ecosystem.NPM, 100).stream()
                .anyMatch(x -> x.coordinate().equals(c)));
        // The npm audit side is asserted where it now lives: proxy's BlockedAdvisoriesTest.
    }

    @Test
    void verdictsOverridesAndDownloadsSurviveARestart() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.0.0");
        assertTrue(await(gate.beforeDownload(c, MONTHS_AGO, WHO)).serve());
        gate.served(c, WHO);
        engine.admin().override(npm("left-pad", "1.3.1"), OverrideAction.BLOCK, "bad build", null, "t");
        engine.close();
        engine = null;
        gate = open();
        assertEquals("admin_block", gate.listed(npm("left-pad", "1.3.1"), MINUTES_AGO).code());
        assertEquals(NOW, engine.admin().version(c).firstSeen());
        List<DownloadRecord> downloads = engine.admin().downloads(c, 10);
        assertEquals(1, downloads.size());
        assertEquals("npm/10.8.2", downloads.get(0).userAgent());
        assertEquals("127.0.0.1", downloads.get(0).clientAddress());
    }

    @Test
    void aListingRacingAnAnalysisResultNeverLosesTheResult() throws Exception {
        PolicyGate gate = open();
        for (int i = 0; i < 200; i++) {
            PackageCoordinate c = npm("racy", "1.0." + i);
            gate.listed(c, MINUTES_AGO);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicInteger loops = new AtomicInteger();
            Thread lister = new Thread(() -> {
                while (!stop.get()) {
                    gate.listed(c, MINUTES_AGO);
                    loops.incrementAndGet();
                }
            });
            lister.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (loops.get() < 20 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            queue.deliver(c, Recommendation.CLEAN);
            stop.set(true);
            lister.join(5000);
            assertEquals(AnalysisStage.FULL, engine.admin().version(c).analysisStage(), "lost the result of " + c);
            assertTrue(gate.listed(c, MINUTES_AGO).serve());
        }
    }

    @Test
    void listingIsCheapOnceAVersionIsKnown() {
        PolicyGate gate = open();
        int versions = 2000;
        long start = System.nanoTime();
        for (int i = 0; i < versions; i++) {
            gate.listed(npm("big-package", "1.0." + i), MONTHS_AGO);
        }
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        for (int i = 0; i < versions; i++) {
            assertTrue(gate.listed(npm("big-package", "1.0." + i), MONTHS_AGO).serve());
        }
        long againMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("listed(): %d versions first sighting %d ms, again %d ms%n", versions, firstMs, againMs);
        assertTrue(againMs < 2000, "listing 2000 known versions took " + againMs + " ms");
    }
}
