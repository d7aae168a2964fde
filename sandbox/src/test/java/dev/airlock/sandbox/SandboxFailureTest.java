package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SandboxFailureTest {
    @Test
    void autoPrefersGvisorWhenTheEngineHasIt() {
        RuntimeChoice choice = RuntimeChoice.resolve("auto", Set.of("runc", "runsc"));
        assertEquals("runsc", choice.runtime());
        assertNull(choice.warning());
        assertNull(choice.problem());
    }

    @Test
    void autoFallsBackToRuncWithAWarningWhenGvisorIsNotRegistered() {
        RuntimeChoice choice = RuntimeChoice.resolve(null, Set.of("runc", "io.containerd.runc.v2"));
        assertEquals("runc", choice.runtime());
        assertTrue(choice.warning().contains("gVisor (runsc) is not registered"), choice.warning());
        assertNull(choice.problem());
    }

    @Test
    void anExplicitRuntimeWinsAndAMissingOneIsAProblemNotAFallback() {
        assertEquals("runc", RuntimeChoice.resolve("runc", Set.of("runc", "runsc")).runtime());
        RuntimeChoice missing = RuntimeChoice.resolve("runsc", Set.of("runc"));
        assertNull(missing.runtime());
        assertTrue(missing.problem().contains("'runsc'"), missing.problem());
    }

    @Test
    void theDetailKeepsOnlyTheLastTwentyLinesOfTheInitLog() {
        String log = IntStream.rangeClosed(1, 50).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));
        SandboxUnavailableException e = new SandboxUnavailableException("init_failed", "the init crashed", log, null);
        assertEquals("init_failed", e.cause());
        assertTrue(e.detail().startsWith("the init crashed\n"), e.detail());
        assertTrue(e.detail().endsWith("line 50"), e.detail());
        assertTrue(e.detail().contains("line 31\n"), e.detail());
        assertTrue(!e.detail().contains("line 30\n"), e.detail());
    }

    @Test
    void theDetailIsBoundedWhenLogLinesAreLong() {
        String log = "x".repeat(10_000) + "\nthe end";
        String detail = new SandboxUnavailableException("init_failed", "m", log, null).detail();
        assertTrue(detail.length() <= "m\ninit log (last lines):\n".length() + SandboxUnavailableException.LOG_CHARS, "" + detail.length());
        assertTrue(detail.endsWith("the end"));
    }

    @Test
    void theLegacyConstructorsCarryAGenericCauseAndCodesMustBeSnakeCase() {
        assertEquals("unavailable", new SandboxUnavailableException("no sandbox configured").cause());
        assertEquals("no sandbox configured", new SandboxUnavailableException("no sandbox configured").detail());
        assertThrows(IllegalArgumentException.class, () -> new SandboxUnavailableException("Init Failed", "m", null, null));
    }
}
