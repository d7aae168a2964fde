package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.Recommendation;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutbreakHoldTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final Instant LINE = NOW.minus(Duration.ofDays(2));

    @RegisterExtension
    final PolicyFixture fixture = new PolicyFixture(NOW);
    final MutableClock clock = fixture.clock;
    final TestQueue queue = fixture.queue;
    PolicyEngine engine;

    PolicyGate open(Instant line) {
        PolicyConfig policy = new PolicyConfig(null, "14d", Duration.ofMillis(100), null, null, null, null, null, null,
                null, line);
        engine = fixture.open(policy, null);
        return engine.gate();
    }

    static PackageCoordinate npm(String version) {
        return PackageCoordinate.of(Ecosystem.NPM, "wormy", version);
    }

    @Test
    void aVersionPublishedAfterTheLineIsHeldEvenThoughItsAnalysisIsClean() {
        PolicyGate gate = open(LINE);
        PackageCoordinate after = npm("2.0.1");
        PackageCoordinate before = npm("2.0.0");
        gate.listed(after, NOW.minus(Duration.ofDays(1)));
        gate.listed(before, NOW.minus(Duration.ofDays(3)));
        queue.deliver(after, Recommendation.CLEAN);
        queue.deliver(before, Recommendation.CLEAN);

        Decision held = gate.listed(after, NOW.minus(Duration.ofDays(1)));
        assertFalse(held.serve());
        assertEquals(OutbreakHold.CODE, held.code());
        assertTrue(held.message().contains("outbreak hold line " + LINE), held.message());
        assertTrue(gate.listed(before, NOW.minus(Duration.ofDays(3))).serve(), "published before the line: served");
    }

    @Test
    void aVersionWithoutAPublishTimeFirstSeenAfterTheLineIsHeld() {
        PolicyGate gate = open(LINE);
        PackageCoordinate c = npm("3.0.0");
        gate.listed(c, null);
        queue.deliver(c, Recommendation.CLEAN);

        Decision d = gate.listed(c, null);

        assertEquals(OutbreakHold.CODE, d.code());
        assertTrue(d.message().contains("publish time unknown"), d.message());
    }

    @Test
    void aBreakGlassExemptionLetsOneVersionThroughUntilItExpiresAndIsAudited() {
        PolicyGate gate = open(LINE);
        PackageCoordinate fixed = npm("2.0.2");
        PackageCoordinate other = npm("2.0.3");
        Instant published = NOW.minus(Duration.ofHours(30));
        for (PackageCoordinate c : new PackageCoordinate[] {fixed, other}) {
            gate.listed(c, published);
            queue.deliver(c, Recommendation.CLEAN);
        }

        BreakGlass.Change change = engine.breakGlass().grant(fixed.packageId(), fixed, Duration.ofHours(1),
                "security fix we need today", "admin");

        assertTrue(gate.listed(fixed, published).serve(), "exempt version is served");
        assertFalse(gate.listed(other, published).serve(), "another version of the package is still held");
        assertEquals("hold_exemption", change.audit().action());
        assertTrue(change.audit().reason().contains("security fix we need today"));
        assertEquals(NOW.plus(Duration.ofHours(1)), change.exemption().expires());
        assertEquals(1, engine.breakGlass().active().size());

        clock.advance(Duration.ofMinutes(61));

        Decision expired = gate.listed(fixed, published);
        assertFalse(expired.serve(), "held again once the exemption expired");
        assertEquals(OutbreakHold.CODE, expired.code());
        assertEquals(0, engine.breakGlass().active().size());
    }

    @Test
    void anExemptionLiftsOnlyTheHoldNotAMaliciousVerdict() {
        PolicyGate gate = open(LINE);
        PackageCoordinate c = npm("2.0.4");
        Instant published = NOW.minus(Duration.ofHours(5));
        gate.listed(c, published);
        engine.breakGlass().grant(c.packageId(), null, Duration.ofDays(1), "whole package, vendor confirmed", "admin");

        queue.deliver(c, Recommendation.MALICIOUS);

        Decision d = gate.listed(c, published);
        assertFalse(d.serve());
        assertEquals(VerdictState.BLOCKED, engine.admin().version(c).state());
    }

    @Test
    void exemptionsSurviveARestartAndCanBeRevoked() {
        PolicyGate gate = open(LINE);
        PackageCoordinate c = npm("2.0.5");
        Instant published = NOW.minus(Duration.ofHours(5));
        gate.listed(c, published);
        queue.deliver(c, Recommendation.CLEAN);
        engine.breakGlass().grant(c.packageId(), c, Duration.ofHours(4), "hotfix", "admin");
        engine.close();

        gate = open(LINE);
        assertTrue(gate.listed(c, published).serve(), "the exemption was read back from the store");

        assertTrue(engine.breakGlass().revoke(c.packageId(), c, "done", "admin").isPresent());
        assertFalse(gate.listed(c, published).serve());
        assertTrue(engine.breakGlass().revoke(c.packageId(), c, "again", "admin").isEmpty());
    }

    @Test
    void anExemptionNeedsAConfiguredHoldAndABoundedDuration() {
        open(null);
        PackageCoordinate c = npm("1.0.0");
        assertThrows(IllegalArgumentException.class,
                () -> engine.breakGlass().grant(c.packageId(), c, Duration.ofHours(1), "why", "admin"));
        engine.close();
        open(LINE);
        assertThrows(IllegalArgumentException.class,
                () -> engine.breakGlass().grant(c.packageId(), c, Duration.ofDays(31), "why", "admin"));
        assertThrows(IllegalArgumentException.class,
                () -> engine.breakGlass().grant(c.packageId(), c, Duration.ofHours(1), " ", "admin"));
    }
}
