package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.VerdictState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin allow|block|reanalyze --where} against the real admin API and policy store. */
class BulkCommandTest {
    @Test
    void allowWhereReleasesEverySelectedVersionPrintsHowManyAndAuditsEach(@TempDir Path dir) throws Exception {
        try (PolicyServer airlock = new PolicyServer(dir, "cli-token")) {
            for (int i = 0; i < 12; i++) {
                PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "dep-" + i, "1.0.0");
                airlock.seeNewVersion(c);
                airlock.analysisFinished(c, new AnalysisResult("npm", c.name(), c.version(), "ab".repeat(32),
                        Recommendation.SUSPICIOUS, List.of(new Finding(i < 10 ? "sandbox_error" : "install_script_network",
                        "high", "dynamic", "x", "", null)), null, 1, 0));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Map<String, String> env = Map.of("AIRLOCK_URL", airlock.url().toString(), "AIRLOCK_ADMIN_TOKEN", "cli-token");
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            assertEquals(0, AdminCommand.run(new String[] {"allow", "--where", "state=quarantined,reason=sandbox_error",
                    "--dry-run"}, env, o, o, false));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("10 version(s) match"), out.toString(StandardCharsets.UTF_8));
            assertEquals(2, AdminCommand.run(new String[] {"allow", "--where", "state=quarantined"}, env, o, o, false),
                    "a reason is required");
            out.reset();
            assertEquals(0, AdminCommand.run(new String[] {"allow", "--where", "state=quarantined,reason=sandbox_error",
                    "--reason", "sandbox fixed"}, env, o, o, false));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("allowed 10 version(s) matching"), out.toString(StandardCharsets.UTF_8));
            assertEquals(VerdictState.ALLOWED, airlock.engine.admin().version(PackageCoordinate.of(Ecosystem.NPM, "dep-3", "1.0.0")).state());
            assertEquals(VerdictState.QUARANTINED, airlock.engine.admin().version(PackageCoordinate.of(Ecosystem.NPM, "dep-11", "1.0.0")).state());
            assertEquals(10, airlock.engine.admin().audit(new AuditQuery(null, null, "override_allow", null, null, null, 100))
                    .entries().size());
            out.reset();
            assertEquals(0, AdminCommand.run(new String[] {"reanalyze", "npm", "dep-11", "1.0.0", "--reason", "again"},
                    env, o, o, false));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("queued npm:dep-11@1.0.0 for re-analysis"));
        }
    }
}
