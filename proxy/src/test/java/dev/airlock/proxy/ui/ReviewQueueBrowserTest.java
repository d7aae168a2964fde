package dev.airlock.proxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.VerdictState;
import dev.airlock.policy.review.HistoryBucket;
import dev.airlock.policy.review.VersionQuery;
import dev.airlock.proxy.cli.PolicyServer;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review queue at the size of real traffic, in a real headless Chromium against the real
 * admin API and policy store: one bulk release of 500 sandbox-error quarantines, a re-analysis
 * whose two results both show, and the overview's charts drawn from history in the store.
 */
class ReviewQueueBrowserTest {
    private static final String TOKEN = "review-test-token";

    private static AnalysisResult suspicious(PackageCoordinate c, String rule) {
        return new AnalysisResult(c.ecosystem().id(), c.name(), c.version(), "ab".repeat(32), Recommendation.SUSPICIOUS,
                List.of(new Finding(rule, "high", "dynamic", "the sandbox failed: " + rule, "", null)), null, 20, 0);
    }

    @Test
    void anAdminReleasesEverySandboxErrorQuarantineOfFiveHundredWithOneReasonAndEachIsAudited(@TempDir Path tmp)
            throws Exception {
        Requirements.require(HeadlessChromium.available(), "Chromium and chromedriver");
        try (PolicyServer airlock = new PolicyServer(tmp.resolve("data"), TOKEN, new UiRoute())) {
            for (int i = 0; i < 500; i++) {
                PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "dep-" + i, "1.0." + (i % 7));
                airlock.seeNewVersion(c);
                airlock.analysisFinished(c, suspicious(c, "sandbox_error"));
            }
            for (int i = 0; i < 20; i++) {
                PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "other-" + i, "2.0");
                airlock.seeNewVersion(c);
                airlock.analysisFinished(c, suspicious(c, "install_script_network"));
            }
            VersionQuery sandboxErrors = VersionQuery.parse("state=quarantined,reason=sandbox_error");
            assertEquals(500, airlock.engine.admin().count(sandboxErrors));

            ChromeDriver browser = HeadlessChromium.start(tmp.resolve("profile"));
            try {
                WebDriverWait wait = signIn(browser, airlock.url() + "ui/");
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("a.version-link")));
                new Select(browser.findElement(By.id("f-state"))).selectByValue("quarantined");
                browser.findElement(By.id("f-reason")).sendKeys("sandbox_error");
                wait.until(ExpectedConditions.textToBe(By.id("queue-total"), "500"));
                assertTrue(browser.findElement(By.id("page-label")).getText().endsWith("of 500"),
                        "the server pages the selection: " + browser.findElement(By.id("page-label")).getText());
                WebElement reason = browser.findElement(By.id("bulk-reason"));
                reason.sendKeys("sandbox image fixed in 0.1.1; these failures were ours, not the packages'");
                reason.sendKeys(Keys.TAB);
                assertEquals("bulk-allow", browser.switchTo().activeElement().getAttribute("id"), "keyboard order");
                browser.switchTo().activeElement().sendKeys(Keys.ENTER);
                WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
                String title = browser.findElement(By.id("confirm-title")).getText();
                assertTrue(title.contains("Allow 500 version(s)"), "the confirmation says how many: " + title);
                assertTrue(browser.findElement(By.id("confirm-text")).getText().contains("reason=sandbox_error"));
                screenshot(browser, "bulk-release-confirmation.png");
                confirm.sendKeys(Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-status"), "Done: allow 500 version(s)."));
                wait.until(ExpectedConditions.textToBe(By.id("queue-total"), "0"));
                screenshot(browser, "bulk-release-done.png");
            } finally {
                browser.quit();
            }
            assertEquals(0, airlock.engine.admin().count(sandboxErrors));
            assertEquals(500, airlock.engine.admin().count(VersionQuery.parse("state=allowed,ecosystem=npm")));
            assertEquals(20, airlock.engine.admin().count(VersionQuery.parse("state=quarantined")),
                    "versions outside the selection keep their state");
            var audit = airlock.engine.admin().audit(new AuditQuery(null, null, "override_allow", null, null, null, 1000));
            assertEquals(500, audit.entries().size(), "one audit entry per version");
            assertTrue(audit.entries().stream().allMatch(e -> e.previousState().equals("quarantined")
                    && e.newState().equals("allowed") && e.reason().startsWith("sandbox image fixed")));
        }
    }

    @Test
    void reanalysingOneVersionKeepsBothAnalysesOnItsPage(@TempDir Path tmp) throws Exception {
        Requirements.require(HeadlessChromium.available(), "Chromium and chromedriver");
        try (PolicyServer airlock = new PolicyServer(tmp.resolve("data"), TOKEN, new UiRoute())) {
            PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "flaky-native", "3.1.0");
            airlock.seeNewVersion(c);
            airlock.analysisFinished(c, suspicious(c, "sandbox_error"));
            assertEquals(VerdictState.QUARANTINED, airlock.engine.admin().version(c).state());

            ChromeDriver browser = HeadlessChromium.start(tmp.resolve("profile"));
            try {
                WebDriverWait wait = signIn(browser, airlock.url() + "ui/");
                browser.get(airlock.url() + "ui/#/package/npm/flaky-native/3.1.0");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view-title"), "flaky-native 3.1.0"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("analysis-history"), "1 analysis run(s)"));
                browser.findElement(By.id("reason")).sendKeys("sandbox fixed; run it again");
                browser.findElement(By.id("action-reanalyze")).click();
                WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
                assertTrue(browser.findElement(By.id("confirm-title")).getText().contains("Re-analyse flaky-native 3.1.0"));
                confirm.sendKeys(Keys.ENTER);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"),
                        "Done: re-analyse flaky-native 3.1.0"));
                assertEquals(2, airlock.submissions(c), "queued once at first sight and once for the re-analysis");

                airlock.analysisFinished(c, new AnalysisResult("npm", c.name(), c.version(), "ab".repeat(32),
                        Recommendation.CLEAN, List.of(), null, 15, 0));
                browser.navigate().refresh();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("analysis-history"), "2 analysis run(s)"));
                String runs = browser.findElement(By.id("analysis-history")).getText();
                assertTrue(runs.contains("suspicious") && runs.contains("sandbox_error") && runs.contains("first sight"), runs);
                assertTrue(runs.contains("clean") && runs.contains("re-analysis"), runs);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main p .state-allowed")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "analysis_replaced"));
                screenshot(browser, "version-page-after-reanalysis.png");
            } finally {
                browser.quit();
            }
            assertEquals(VerdictState.ALLOWED, airlock.engine.admin().version(c).state());
            var replaced = airlock.engine.admin().audit(new AuditQuery(c.toString(), null, "analysis_replaced", null, null, null, 10));
            assertEquals(1, replaced.entries().size());
            assertEquals("quarantined", replaced.entries().get(0).previousState());
            assertEquals("allowed", replaced.entries().get(0).newState());
        }
    }

    @Test
    void theOverviewDrawsItsChartsFromTheHistoryInTheStore(@TempDir Path tmp) throws Exception {
        Requirements.require(HeadlessChromium.available(), "Chromium and chromedriver");
        try (PolicyServer airlock = new PolicyServer(tmp.resolve("data"), TOKEN, new UiRoute())) {
            Instant now = Instant.now();
            for (int i = 0; i < 96; i++) {
                Instant at = now.minus(Duration.ofMinutes(15L * i));
                long held = 40 + (i % 12) * 3;
                airlock.engine.admin().history().record(at, new HistoryBucket(
                        Map.of("decided.allowed", 30L + i % 5, "decided.quarantined", 2L + i % 3, "decided.blocked", i % 2L,
                                "refused.sandbox_error", 1L + i % 3, "refused.typosquat", i % 2L, "refused.known_malware", i % 4 == 0 ? 1L : 0L,
                                "sandbox.runs", 25L + i % 7, "failures.sandbox_start_failed", i % 5 == 0 ? 2L : 0L,
                                "failures.fetch_failed", i % 9 == 0 ? 1L : 0L),
                        Map.of("state.allowed", 5000L - i * 10, "state.pending", held, "state.quarantined", 120L - i / 2,
                                "state.blocked", 15L, "queue.depth", held / 2),
                        ttv(i)));
            }
            ChromeDriver browser = HeadlessChromium.start(tmp.resolve("profile"));
            try {
                WebDriverWait wait = signIn(browser, airlock.url() + "ui/");
                browser.findElement(By.cssSelector("#nav a[data-view='overview']")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chart-states svg polyline")));
                for (String chart : List.of("chart-states", "chart-decided", "chart-reasons", "chart-queue", "chart-sandbox")) {
                    int points = Integer.parseInt(browser.findElement(By.id(chart)).getAttribute("data-points"));
                    assertTrue(points > 0, chart + " has data");
                }
                assertTrue(browser.findElements(By.cssSelector("#chart-decided svg rect")).size() > 90, "a bar per step and state");
                String reasons = browser.findElement(By.id("chart-reasons")).getText();
                assertTrue(reasons.indexOf("sandbox_error") < reasons.indexOf("typosquat"), "largest first: " + reasons);
                String ttv = browser.findElement(By.id("ttv")).getText();
                assertTrue(ttv.contains("p50") && ttv.contains("under 10 min") && ttv.contains("under 30 min"), ttv);
                screenshot(browser, "overview-24h.png");
                new Select(browser.findElement(By.id("ov-range"))).selectByValue("7d");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("overview"), "one point per 2 h"));
                screenshot(browser, "overview-7d.png");
            } finally {
                browser.quit();
            }
        }
    }

    /** Mostly under ten minutes, a tail under half an hour. */
    private static long[] ttv(int i) {
        long[] t = new long[18];
        t[8] = 9;
        t[9] = 1;
        return t;
    }

    private static WebDriverWait signIn(WebDriver browser, String uiUrl) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(uiUrl);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(TOKEN, Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("f-state")));
        return wait;
    }

    private static void screenshot(WebDriver browser, String name) {
        try {
            Path target = Path.of("target", "ui-screenshots");
            Files.createDirectories(target);
            Files.write(target.resolve(name), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (Exception e) {
            System.err.println("screenshot failed: " + e);
        }
    }
}
