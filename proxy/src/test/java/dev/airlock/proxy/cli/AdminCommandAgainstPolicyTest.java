package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against the real admin API and policy store: what an admin does, end to end. */
class AdminCommandAgainstPolicyTest {
    private static final PackageCoordinate OLD = PackageCoordinate.of(Ecosystem.NPM, "tiny-helper", "1.2.0");
    @RegisterExtension
    final AdminCliFixture cli = new AdminCliFixture(null);
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
    void blockMakesTheGateRefuseTheVersionAndShowReportsItBlockedWithTheReason() throws Exception {
        assertTrue(airlock.seeOldVersion(OLD).serve(), "an old version with an ordinary name is served");
        assertEquals(0, admin("block", "npm", "tiny-helper", "1.2.0", "--reason", "steals npm tokens (INC-7)"));
        assertTrue(out().contains("state now: blocked"), out());

        var decision = airlock.engine.gate().beforeDownload(OLD, null, new DownloadContext("10.0.0.5", "npm/10", "t.tgz"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(decision.serve());
        assertTrue(decision.message().contains("steals npm tokens (INC-7)"), decision.message());

        assertEquals(0, admin("show", "npm", "tiny-helper", "1.2.0"));
        assertTrue(out().contains("BLOCKED") && out().contains("admin_block") && out().contains("steals npm tokens"), out());

        assertEquals(0, admin("audit"));
        assertTrue(out().contains("override_block") && out().contains("npm:tiny-helper@1.2.0")
                && out().contains("allowed -> blocked"), out());

        assertEquals(0, admin("unoverride", "npm", "tiny-helper", "1.2.0", "--reason", "false alarm"));
        assertEquals(0, admin("show", "npm", "tiny-helper", "1.2.0"));
        assertTrue(out().contains("ALLOWED"), out());
    }

    @Test
    void listsHeldVersionsAndAPackageOverrideCoversEveryVersion() {
        PackageCoordinate fresh = PackageCoordinate.of(Ecosystem.NPM, "tiny-helper", "1.3.0");
        airlock.seeOldVersion(OLD);
        airlock.seeNewVersion(fresh);
        assertEquals(0, admin("list", "--state", "pending", "--ecosystem", "npm"));
        assertTrue(out().contains("tiny-helper") && out().contains("1.3.0") && !out().contains("1.2.0"), out());

        assertEquals(0, admin("allow", "npm", "tiny-helper", "--reason", "our own package"));
        assertEquals(0, admin("show", "npm", "tiny-helper"));
        assertTrue(out().contains("override: allow (our own package)"), out());
        assertFalse(out().contains("pending"), "the package override releases the held version too: " + out());
    }

    @Test
    void downloadsShowWhoWasServedAVersion() {
        airlock.seeOldVersion(OLD);
        airlock.engine.gate().served(OLD, new DownloadContext("10.9.8.7", "npm/10.8.2 node/v20", "tiny-helper-1.2.0.tgz"));
        assertEquals(0, admin("downloads", "npm", "tiny-helper", "1.2.0"));
        assertTrue(out().contains("10.9.8.7") && out().contains("npm/10.8.2"), out());
    }

    @Test
    void feedImportBlocksTheVersionsOfAMalwareRecord(@TempDir Path dir) throws Exception {
        Path record = dir.resolve("MAL-2026-4242.json");
        Files.writeString(record, "{\"id\":\"MAL-2026-4242\",\"modified\":\"2026-11-01T00:00:00Z\","
                + "\"summary\":\"Malicious code in tiny-helper (npm)\","
                + "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"tiny-helper\"},\"versions\":[\"1.2.0\"]}]}");
        assertEquals(0, admin("feed", "import", record.toString()));
        assertEquals(0, admin("show", "npm", "tiny-helper", "1.2.0"));
        assertTrue(out().contains("BLOCKED") && out().contains("MAL-2026-4242"), out());
    }

    @Test
    void unknownVersionAndWrongTokenHaveTheirExitCodes() {
        assertEquals(5, admin("show", "npm", "never-seen", "1.0.0"));
        assertEquals(4, cli.run(Map.of(), "--url", airlock.url().toString(), "--token", "wrong", "list"));
    }
}
