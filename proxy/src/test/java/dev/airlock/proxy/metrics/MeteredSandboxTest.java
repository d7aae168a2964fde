package dev.airlock.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeteredSandboxTest {
    private static BehaviorReport.Phase phase(String name, String status) {
        return new BehaviorReport.Phase(name, status, status.equals("completed") ? 0 : null, 1200, null, null, null, null, null, 0);
    }

    /** A sandbox that answers a fixed report: the decorator is what is under test, not the engine. */
    private static Sandbox answering(BehaviorReport report) {
        return new Sandbox() {
            @Override
            public boolean available() {
                return true;
            }

            @Override
            public String status() {
                return "fixed";
            }

            @Override
            public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws SandboxUnavailableException {
                if (report == null) {
                    throw new SandboxUnavailableException("no engine");
                }
                return report;
            }
        };
    }

    @Test
    void countsRunsByWorstPhaseOutcomeAndEngineFailures() throws Exception {
        try (AirlockMetrics metrics = new AirlockMetrics()) {
            new MeteredSandbox(answering(new BehaviorReport("runc", "img", List.of(phase("install", "completed"),
                    phase("import", "completed")))), metrics).run(Path.of("a.tgz"), Ecosystem.NPM);
            new MeteredSandbox(answering(new BehaviorReport("runc", "img", List.of(phase("install", "timeout"),
                    phase("import", "completed")))), metrics).run(Path.of("b.tgz"), Ecosystem.NPM);
            assertThrows(SandboxUnavailableException.class,
                    () -> new MeteredSandbox(answering(null), metrics).run(Path.of("c.whl"), Ecosystem.PYPI));
            String text = metrics.scrape();
            assertTrue(text.contains("airlock_sandbox_run_seconds_count{ecosystem=\"npm\",outcome=\"completed\"} 1"), text);
            assertTrue(text.contains("airlock_sandbox_timeouts_total{ecosystem=\"npm\"} 1.0"), text);
            assertTrue(text.contains("airlock_sandbox_failures_total{ecosystem=\"pypi\",outcome=\"unavailable\"} 1.0"), text);
        }
        assertEquals("oom", MeteredSandbox.outcome(new BehaviorReport("runc", "i", List.of(phase("install", "oom"), phase("import", "timeout")))));
    }
}
