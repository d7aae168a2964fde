package dev.airlock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SandboxConfigTest {
    @Test
    void theRuntimeDefaultsToAutoAndLeavesThePidsLimitToTheRuntimeItResolvesTo() {
        SandboxConfig c = SandboxConfig.defaults();
        assertEquals("auto", c.runtime());
        assertNull(c.pidsLimit());
        assertEquals(2048, c.pidsLimitFor("runsc"));
        assertEquals(256, c.pidsLimitFor("runc"));
    }

    @Test
    void anExplicitRuntimeKeepsItsPidsLimitDefaultAndAnExplicitLimitWinsEverywhere() {
        assertEquals(2048, new SandboxConfig("runsc", null, null, null, null, null, null).pidsLimit());
        assertEquals(256, new SandboxConfig("runc", null, null, null, null, null, null).pidsLimit());
        SandboxConfig fixed = new SandboxConfig(null, null, null, null, null, null, 512);
        assertEquals(512, fixed.pidsLimitFor("runsc"));
        assertEquals(512, fixed.pidsLimitFor("runc"));
    }
}
