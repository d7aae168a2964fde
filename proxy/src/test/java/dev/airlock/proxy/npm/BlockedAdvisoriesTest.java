package dev.airlock.proxy.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.PolicyEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockedAdvisoriesTest {
    static final Instant MONTHS_AGO = Instant.now().minus(Duration.ofDays(90));

    @TempDir
    Path dir;
    PolicyEngine engine;

    static final class NoQueue implements AnalysisQueue {
        @Override
        public void submit(PackageCoordinate c, AnalysisPriority p) {
        }

        @Override
        public int depth() {
            return 0;
        }

        @Override
        public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
        }
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void anImportedMalwareRecordShowsInNpmAuditAsACriticalAdvisoryOfItsVersionOnly() throws Exception {
        PolicyConfig policy = new PolicyConfig(null, null, Duration.ofMillis(300), null, null, null, null, null, null);
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir, null, null, null, null, "T", null, null, policy, null, null);
        engine = PolicyEngine.open(cfg, new NoQueue(), null);
        engine.gate().listed(PackageCoordinate.of(Ecosystem.NPM, "evil-pkg", "1.0.0"), MONTHS_AGO);
        String osv = """
                {"id":"MAL-2026-42","summary":"Malicious code in evil-pkg (npm)",
                 "affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},"versions":["1.0.2"]}]}""";
        engine.admin().importOsv(osv.getBytes(StandardCharsets.UTF_8), "api", "token:abcd");
        BlockedAdvisories advisories = new BlockedAdvisories(engine.gate()::evaluate, null);

        Map<String, List<Map<String, Object>>> adv = advisories.apply(Map.of("evil-pkg", List.of("1.0.0", "1.0.2"),
                "lodash", List.of("4.17.21")));

        assertEquals(1, adv.size());
        Map<String, Object> a = adv.get("evil-pkg").get(0);
        assertEquals("critical", a.get("severity"));
        assertEquals("1.0.2", a.get("vulnerable_versions"));
        assertTrue(a.get("title").toString().contains("MAL-2026-42"));
        assertNotNull(a.get("id"));
        assertEquals(List.of("CWE-506"), a.get("cwe"));
        assertEquals("/api/v1/packages/npm/evil-pkg/1.0.2", a.get("url"));
    }
}
