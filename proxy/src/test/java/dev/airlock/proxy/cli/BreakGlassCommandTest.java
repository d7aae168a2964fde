package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Recommendation;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code airlock admin break-glass} against the real admin API and policy store, with an outbreak hold on. */
class BreakGlassCommandTest {
    private static final Instant LINE = Instant.now().minus(Duration.ofDays(1));
    private static final PackageCoordinate FRESH = PackageCoordinate.of(Ecosystem.NPM, "@acme/hotfix", "4.0.1");
    @RegisterExtension
    final AdminCliFixture cli = new AdminCliFixture(new PolicyConfig(null, "14d", Duration.ofMillis(100), null, null,
            null, null, null, null, null, LINE));
    private PolicyServer airlock;

    @BeforeEach
    void start() {
        airlock = cli.airlock();
    }

    private int admin(String... args) {
        return cli.admin(args);
    }

    private String out() {
        return cli.out();
    }

    @Test
    void allowLetsAHeldVersionThroughForTheDurationAndEndPutsTheHoldBack() throws Exception {
        Decision held = airlock.seeNewVersion(FRESH);
        airlock.analysisFinished(FRESH, new AnalysisResult("npm", "@acme/hotfix", "4.0.1", "ef".repeat(32), Recommendation.CLEAN, List.of(), null, 1, 1));
        held = airlock.seeNewVersion(FRESH);
        assertEquals("held_outbreak", held.code(), held.message());

        assertEquals(0, admin("break-glass", "allow", "npm", "@acme/hotfix", "4.0.1", "--for", "4h",
                "--reason", "INC-9 hotfix, reviewed by hand"), cli::err);
        assertTrue(out().contains("let npm:@acme/hotfix@4.0.1 through the outbreak hold until"), out());
        assertTrue(airlock.seeNewVersion(FRESH).serve(), "served while the exemption lasts");

        assertEquals(0, admin("break-glass", "list"));
        assertTrue(out().contains("versions published after " + LINE), out());
        assertTrue(out().contains("npm:@acme/hotfix@4.0.1") && out().contains("INC-9 hotfix"), out());

        assertEquals(0, admin("break-glass", "end", "npm", "@acme/hotfix", "4.0.1", "--reason", "fixed upstream"));
        assertFalse(airlock.seeNewVersion(FRESH).serve(), "held again");
        List<AuditEntry> audit = airlock.engine.admin().audit(Instant.EPOCH, 100);
        assertTrue(audit.stream().anyMatch(a -> a.action().equals("hold_exemption") && a.who() != null
                && a.reason().contains("INC-9 hotfix")), audit::toString);
        assertTrue(audit.stream().anyMatch(a -> a.action().equals("hold_exemption_removed")
                && a.reason().equals("fixed upstream")), audit::toString);
    }

    @Test
    void aDurationOverThirtyDaysIsRefusedAsUsage() {
        assertEquals(AdminException.USAGE, admin("break-glass", "allow", "npm", "left-pad", "--for", "90d",
                "--reason", "too long"));
        assertTrue(cli.err().contains("at most 30 days"), cli::err);
    }
}
