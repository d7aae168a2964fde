package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall loop on real packages, the way a new user meets it: a fresh Airlock with the real
 * sandbox, real npm, pnpm, yarn and pip, real packages from the configured npm registry and from
 * this machine's PyPI mirror, every artifact fetched and stored by Airlock itself. After the
 * installs the analyses settle; every version must then be allowed on a full analysis, with no
 * infrastructure failure on the way.
 */
@Timeout(2400)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealPackagesThroughAirlockTest {
    /** The 20-package tree of issue 9 (about 130 packages with their dependencies). */
    static final List<String> NPM_TREE = List.of("express", "lodash", "chalk", "commander", "debug", "axios", "yargs",
            "uuid", "semver", "minimist", "glob", "rimraf", "mkdirp", "dotenv", "moment", "dayjs", "ws", "body-parser",
            "cors", "jsonwebtoken");
    /** requests and flask with every dependency; markupsafe and charset-normalizer are platform wheels with C code. */
    static final List<String> PYPI_PROJECTS = List.of("requests", "certifi", "idna", "urllib3", "charset-normalizer",
            "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker");
    private static final Duration SETTLE = Duration.ofMinutes(25);

    @TempDir
    static Path work;
    static MirrorIndex mirror;
    static AirlockProcess airlock;

    @BeforeAll
    static void start() throws Exception {
        Requirements.require(Requirements.commandWorks("docker", "info"), "a Docker engine (.ci/setup-docker.sh)");
        Requirements.require(Clients.npm().isPresent(), "npm");
        Requirements.require(Clients.python().isPresent(), "python3 with venv");
        Requirements.require(!MirrorIndex.localMirrors().isEmpty(), "a local PyPI mirror (pip config list)");
        mirror = MirrorIndex.start();
        for (String p : PYPI_PROJECTS) {
            Requirements.require(mirror.addFromMirror(p), p + " in the local PyPI mirror");
        }
        Path yaml = work.resolve("airlock.yaml");
        // Two analyses at once on a 2-core machine; everything else is the embedded default.
        Files.writeString(yaml, "analysis:\n  concurrency: 2\nsandbox:\n  concurrency: 2\n");
        airlock = AirlockProcess.start(work, work.resolve("data"), Map.of(), "--config", yaml.toString(),
                "--pypi-upstream", mirror.simpleUrl(), "--pypi-file-hosts", "127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (airlock != null) {
            airlock.close();
        }
        if (mirror != null) {
            mirror.close();
        }
    }

    private static Map<String, String> tree() {
        Map<String, String> deps = new LinkedHashMap<>();
        NPM_TREE.forEach(n -> deps.put(n, "*"));
        return deps;
    }

    @Test
    @Order(1)
    void npmInstallsTheRealTreeTwiceThroughAFreshAirlock() throws Exception {
        NpmProject project = NpmProject.create(work.resolve("npm"), tree());
        long t0 = System.nanoTime();
        ClientProcess.Result first = project.npm(airlock.npmRegistry(), "install");
        assertTrue(first.succeeded(), () -> first.describe() + "\n" + tail(airlock.log()));
        long t1 = System.nanoTime();
        project.deleteInstallState();
        ClientProcess.Result second = project.npm(airlock.npmRegistry(), "install");
        assertTrue(second.succeeded(), () -> second.describe() + "\n" + tail(airlock.log()));
        System.out.printf("real-packages: npm install cold %.1f s, again from Airlock %.1f s%n",
                (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        assertTrue(Files.isDirectory(project.dir().resolve("node_modules/express")));
        assertTrue(project.packageLock().path("packages").size() > 100, "the tree has its ~130 packages");
    }

    /**
     * After the analyses settle: versions younger than the hold become visible as their analyses
     * finish, in queue order, so while they run a parent can show before the new dependency
     * version it needs (glob 15.0.0, released early, needs path-scurry ^4.1.0, still pending) and
     * a resolver fails with "no matching version". npm's install above resolved before either was
     * released; pnpm and yarn resolve the same tree once everything listed has a verdict.
     */
    @Test
    @Order(5)
    void pnpmAndYarnInstallTheSameTree() throws Exception {
        Requirements.require(Clients.pnpm().isPresent(), "pnpm (.ci/setup-clients.sh)");
        Requirements.require(Clients.yarn().isPresent(), "yarn (.ci/setup-clients.sh)");
        NpmProject pnpm = NpmProject.create(work.resolve("pnpm"), tree());
        ClientProcess.Result p = pnpm.pnpmInstall(airlock.npmRegistry());
        assertTrue(p.succeeded(), p::describe);
        NpmProject yarn = NpmProject.create(work.resolve("yarn"), tree());
        ClientProcess.Result y = yarn.yarnInstall(airlock.npmRegistry());
        assertTrue(y.succeeded(), y::describe);
        assertTrue(Files.isDirectory(yarn.dir().resolve("node_modules/express")));
    }

    @Test
    @Order(3)
    void pipInstallsRealWheelsFromTheMirrorTwiceThroughAirlock() throws Exception {
        for (int round = 1; round <= 2; round++) {
            Venv venv = Venv.create(Clients.python().orElseThrow(), work.resolve("venv" + round));
            ClientProcess.Result r = venv.pipInstall(airlock.pypiIndex(), "requests", "flask");
            assertTrue(r.succeeded(), () -> r.describe() + "\n" + tail(airlock.log()));
            assertEquals("ok", venv.eval("import requests, flask, markupsafe; print('ok')"));
        }
    }

    @Test
    @Order(4)
    void afterTheAnalysesSettleEveryRealVersionIsAllowedOnAFullAnalysisWithNoInfrastructureFailure() throws Exception {
        long start = System.nanoTime();
        long deadline = start + SETTLE.toNanos();
        JsonNode versions;
        List<String> unsettled;
        do {
            versions = airlock.api("versions?limit=100000").path("versions");
            unsettled = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (JsonNode v : versions) {
                String id = v.path("ecosystem").asText() + ":" + v.path("name").asText() + "@" + v.path("version").asText();
                String state = v.path("state").asText();
                if (v.path("analysisStage").asText().equals("none") && state.equals("allowed")) {
                    // Only listed in a packument, never downloaded: older than the hold, nothing to analyse.
                    continue;
                }
                if (state.equals("blocked") || state.equals("quarantined")) {
                    refused.add(id + " " + state + " " + v.path("reasons"));
                } else if (!state.equals("allowed") || !v.path("analysisStage").asText().equals("full")) {
                    unsettled.add(id + " " + state + "/" + v.path("analysisStage").asText());
                }
            }
            assertTrue(refused.isEmpty(), () -> "real packages refused:\n" + String.join("\n", refused)
                    + "\n" + details(refused));
            if (unsettled.isEmpty()) {
                break;
            }
            JsonNode failures = airlock.api("status").path("infrastructureFailures");
            assertEquals(0, failures.path("byCause").size(), () -> "infrastructure failures while settling: " + failures);
            Thread.sleep(5_000);
        } while (System.nanoTime() < deadline);
        List<String> left = unsettled;
        assertTrue(left.isEmpty(), () -> left.size() + " versions never settled:\n" + String.join("\n", left));
        int npm = 0;
        int pypi = 0;
        for (JsonNode v : versions) {
            if (v.path("analysisStage").asText().equals("none")) {
                continue;
            }
            if (v.path("ecosystem").asText().equals("npm")) {
                npm++;
            } else {
                pypi++;
            }
        }
        JsonNode status = airlock.api("status");
        System.out.printf("real-packages: %d npm and %d PyPI versions settled %.0f s after the installs; status %s%n",
                npm, pypi, (System.nanoTime() - start) / 1e9, status.path("sandbox"));
        assertTrue(npm >= 100, "npm versions seen: " + npm);
        assertTrue(pypi >= PYPI_PROJECTS.size(), "PyPI versions seen: " + pypi);
        assertEquals(0, status.path("infrastructureFailures").path("byCause").size(),
                () -> "infrastructure failures: " + status.path("infrastructureFailures"));
        assertTrue(status.path("sandbox").path("available").asBoolean(), status.toString());
        // Every PyPI file analysed on its own, each with a sandbox run.
        for (JsonNode v : versions) {
            if (v.path("ecosystem").asText().equals("pypi") && !v.path("analysisStage").asText().equals("none")) {
                JsonNode page = airlock.api("packages/pypi/" + v.path("name").asText() + "/" + v.path("version").asText());
                assertTrue(page.path("analyses").size() >= 1, page.toString());
                for (JsonNode a : page.path("analyses")) {
                    assertTrue(a.path("sandbox").asBoolean(), "analysed without its sandbox run: " + a);
                }
            }
        }
    }

    private static String details(List<String> refused) {
        StringBuilder sb = new StringBuilder();
        for (String line : refused.subList(0, Math.min(3, refused.size()))) {
            String id = line.substring(0, line.indexOf(' '));
            String eco = id.substring(0, id.indexOf(':'));
            String nv = id.substring(id.indexOf(':') + 1);
            int at = nv.lastIndexOf('@');
            try {
                String body = airlock.api("packages/" + eco + "/" + nv.substring(0, at).replace("/", "%2f") + "/"
                        + nv.substring(at + 1)).toString();
                sb.append(body, 0, Math.min(4000, body.length())).append('\n');
            } catch (Exception | AssertionError e) {
                sb.append("(no details: ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    static String tail(String log) {
        return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
    }
}
