package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ClientConfigCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsThePipAndNpmUrlsUnderTheGivenBase() {
        assertEquals(0, run("--url", "http://airlock.internal:8080"));
        String o = out();
        assertTrue(o.contains("index-url = http://airlock.internal:8080/pypi/simple/"), o);
        assertTrue(o.contains("export PIP_INDEX_URL=http://airlock.internal:8080/pypi/simple/"), o);
        assertTrue(o.contains("registry=http://airlock.internal:8080/npm/"), o);
        assertTrue(o.contains("trusted-host = airlock.internal"), o);
        assertTrue(o.contains("[[tool.poetry.source]]") && o.contains("UV_DEFAULT_INDEX=") && o.contains("npmRegistryServer"), o);
        assertTrue(o.contains("unsafeHttpWhitelist"), o);
    }

    @Test
    void keepsAPathPrefixAndNeedsNoTrustForHttpsOrLoopback() {
        assertEquals(0, run("--url", "https://tools.example.test/airlock/"));
        assertTrue(out().contains("https://tools.example.test/airlock/pypi/simple/"), out());
        assertFalse(out().contains("trusted-host") || out().contains("unsafeHttpWhitelist"), out());
        out.reset();
        assertEquals(0, run("--url", "http://127.0.0.1:8080"));
        assertFalse(out().contains("trusted-host"), out());
    }

    @Test
    void printsOneClientWhenAsked() {
        assertEquals(0, run("--url", "http://h:1", "--client", "yarn"));
        assertTrue(out().contains("npmRegistryServer: \"http://h:1/npm/\""), out());
        assertFalse(out().contains("pip.conf"), out());
    }

    @Test
    void rejectsAMissingOrBadUrlWithUsageExitCode() {
        assertEquals(2, run());
        assertEquals(2, run("--url", "ftp://h/"));
        assertEquals(2, run("--url", "http://h/", "--client", "maven"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("http:// or https://"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withATokenEachClientGetsItInTheFormItSends() {
        assertEquals(0, run("--url", "https://airlock.example.test:8443", "--token", "tok_0123456789abcdef"));
        String o = out();
        assertTrue(o.contains("index-url = https://airlock:tok_0123456789abcdef@airlock.example.test:8443/pypi/simple/"), o);
        assertTrue(o.contains("//airlock.example.test:8443/npm/:_authToken=tok_0123456789abcdef"), o);
        assertTrue(o.contains("npmAuthToken: \"tok_0123456789abcdef\""), o);
        assertTrue(o.contains("export UV_INDEX_AIRLOCK_PASSWORD=tok_0123456789abcdef"), o);
    }

    @Test
    void aTokenThatWouldBreakAUrlIsRefused() {
        assertEquals(2, run("--url", "http://airlock.internal:8080", "--token", "a b@c"));
    }
}
