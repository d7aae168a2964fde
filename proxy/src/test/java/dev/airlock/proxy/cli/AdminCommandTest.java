package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCommandTest {
    private FakeAdminApi api;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        api = new FakeAdminApi("s3cret");
        api.put("npm", "left-padd", "1.3.0", "quarantined", "typosquat", "looks like left-pad");
        api.put("npm", "@acme/tools", "2.0.0", "blocked", "dependency_confusion", "internal scope");
        api.put("pypi", "requests", "2.32.3", "allowed", "allowed", "clean");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private int run(Map<String, String> env, String... args) {
        return AdminCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private int admin(String... args) {
        String[] full = new String[args.length + 4];
        full[0] = "--url";
        full[1] = api.url().toString();
        full[2] = "--token";
        full[3] = "s3cret";
        System.arraycopy(args, 0, full, 4, args.length);
        return run(Map.of(), full);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsQuarantinedVersionsWithTheirReasonCodes() {
        assertEquals(0, admin("list", "--state", "quarantined"));
        assertTrue(out().contains("left-padd") && out().contains("1.3.0") && out().contains("typosquat"), out());
        assertTrue(!out().contains("requests"), out());
        assertTrue(api.requests.contains("GET /api/v1/versions?state=quarantined"), api.requests.toString());
    }

    @Test
    void takesTheTokenFromTheEnvironment() {
        assertEquals(0, run(Map.of("AIRLOCK_ADMIN_TOKEN", "s3cret", "AIRLOCK_URL", api.url().toString()), "list"));
        assertTrue(out().contains("@acme/tools"), out());
    }

    @Test
    void blockSendsTheReasonAndShowReportsTheVersionBlocked() {
        assertEquals(0, admin("block", "npm", "left-padd", "1.3.0", "--reason", "steals tokens"));
        assertTrue(out().contains("blocked npm:left-padd@1.3.0: steals tokens"), out());
        assertEquals("override_block", api.audit.get(0).get("action").asText());
        assertEquals("steals tokens", api.audit.get(0).get("reason").asText());
        out.reset();
        assertEquals(0, admin("show", "npm", "left-padd", "1.3.0"));
        assertTrue(out().contains("BLOCKED"), out());
    }

    @Test
    void allowForAWholePackageUsesThePackageOverridePath() {
        assertEquals(0, admin("allow", "npm", "@acme/tools", "--reason", "our own package, published by us"));
        assertTrue(api.requests.contains("POST /api/v1/packages/npm/@acme%2Ftools/override"), api.requests.toString());
        assertTrue(out().contains("every version"), out());
    }

    @Test
    void refusesAnOverrideWithoutAReasonBeforeCallingTheServer() {
        assertEquals(2, admin("block", "npm", "left-padd", "1.3.0"));
        assertTrue(err().contains("--reason"), err());
        assertTrue(api.requests.isEmpty(), api.requests.toString());
    }

    @Test
    void unoverrideDeletesTheOverride() {
        assertEquals(0, admin("unoverride", "pypi", "Requests", "2.32.3"));
        assertTrue(api.requests.contains("DELETE /api/v1/packages/pypi/Requests/2.32.3/override"), api.requests.toString());
    }

    @Test
    void auditShowsOverridesWithTheirReasons() {
        admin("block", "npm", "left-padd", "1.3.0", "--reason", "R-block");
        out.reset();
        assertEquals(0, admin("audit", "--since", "2026-01-01T00:00:00Z"));
        assertTrue(out().contains("override_block") && out().contains("R-block") && out().contains("quarantined -> blocked"), out());
    }

    @Test
    void auditPassesItsFiltersToTheServerAndNamesTheCursorOfTheOlderPage() {
        admin("block", "npm", "left-padd", "1.3.0", "--reason", "R-block");
        api.auditNext = 41L;
        out.reset();
        assertEquals(0, admin("audit", "--target", "npm:left-padd", "--limit", "50", "--before", "90"));
        assertEquals("target=npm%3Aleft-padd&limit=50&before=90", api.lastAuditQuery);
        assertTrue(out().contains("older entries: airlock admin audit --target npm:left-padd --limit 50 --before 41"), out());
        assertEquals(2, admin("audit", "--limit", "none"));
        assertEquals(2, admin("audit", "--before", "0"));
    }

    @Test
    void downloadsListsWhoFetchedAVersion() {
        assertEquals(0, admin("downloads", "npm", "left-padd", "1.3.0"));
        assertTrue(out().contains("10.1.2.3") && out().contains("npm/10.8.2"), out());
    }

    @Test
    void unknownVersionExitsWithNotFound() {
        assertEquals(5, admin("show", "npm", "left-padd", "9.9.9"));
        assertTrue(err().contains("not found"), err());
    }

    @Test
    void wrongTokenExitsWithUnauthorized() {
        assertEquals(4, run(Map.of(), "--url", api.url().toString(), "--token", "nope", "list"));
        assertTrue(err().contains("401") && err().contains("AIRLOCK_ADMIN_TOKEN"), err());
    }

    @Test
    void unreachableServerExitsWithThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(3, run(Map.of(), "--url", "http://127.0.0.1:" + port, "--token", "x", "list"));
        assertTrue(err().contains("cannot reach Airlock"), err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, admin("frobnicate"));
        assertEquals(2, admin("show", "maven", "x"));
        assertEquals(2, admin("list", "--state", "sideways"));
        assertEquals(2, run(Map.of(), "list"));
        assertTrue(err().contains("no admin token"), err());
    }

    @Test
    void feedImportUploadsADirectoryAsAZipOfItsJsonRecords(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("osv/npm"));
        Files.writeString(dir.resolve("osv/npm/MAL-2026-1.json"), "{\"id\":\"MAL-2026-1\"}");
        Files.writeString(dir.resolve("osv/README.md"), "not a record");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int code = AdminCommand.run(new String[] {"--url", api.url().toString(), "--token", "s3cret", "feed", "import",
                dir.resolve("osv").toString()}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8), true);
        assertEquals(0, code, progress.toString(StandardCharsets.UTF_8));
        assertEquals("application/zip", api.lastFeedType);
        Set<String> names = new HashSet<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(api.lastFeedBody))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertEquals(Set.of("npm/MAL-2026-1.json"), names);
        assertTrue(out().contains("records=2") && out().contains("blocked=3"), out());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("100%"), progress.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonFlagPrintsTheApiAnswer() {
        assertEquals(0, admin("--json", "show", "pypi", "requests", "2.32.3"));
        assertTrue(out().contains("\"state\" : \"allowed\""), out());
    }
}
