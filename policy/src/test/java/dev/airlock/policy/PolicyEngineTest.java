package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyEngineTest {
    static final Instant OLD = Instant.now().minusSeconds(86_400L * 100);

    @TempDir
    Path dir;

    AirlockConfig config(PolicyConfig policy, String token) {
        return new AirlockConfig(0, "127.0.0.1", dir.resolve("data"), null, null, null, null, token, null, null, policy,
                null, null);
    }

    static String mal(String id, String name, String version) {
        return "{\"id\":\"" + id + "\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"" + name
                + "\"},\"versions\":[\"" + version + "\"]}]}";
    }

    @Test
    void importsTheFeedsDirectoryAtStartupAndPicksUpNewFiles() throws Exception {
        Path feeds = Files.createDirectories(dir.resolve("feeds/osv/npm"));
        Files.writeString(feeds.resolve("MAL-1.json"), mal("MAL-2026-1", "evil-one", "1.0.0"));
        Files.writeString(feeds.resolve("broken.json"), "{oops");
        PolicyConfig p = new PolicyConfig(null, null, null, null, null, null, null, null, dir.resolve("feeds").toString());
        try (PolicyEngine e = PolicyEngine.open(config(p, "T"), new TestQueue(), null, Clock.systemUTC(), 100)) {
            assertEquals("known_malware", e.gate().listed(PackageCoordinate.of(Ecosystem.NPM, "evil-one", "1.0.0"), OLD).code(),
                    "records in the feeds directory must block before the first request");
            Files.writeString(feeds.resolve("MAL-2.json"), mal("MAL-2026-2", "evil-two", "2.0.0"));
            PackageCoordinate two = PackageCoordinate.of(Ecosystem.NPM, "evil-two", "2.0.0");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (e.gate().listed(two, OLD).serve() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("known_malware", e.gate().listed(two, OLD).code());
            assertTrue(e.admin().audit(null, 10).stream().anyMatch(a -> a.action().equals("feed_import")
                    && a.target().contains("MAL-2.json")));
        }
    }

    @Test
    void aBadRuleStopsStartupNamingTheEntry() {
        PolicyConfig p = new PolicyConfig(null, null, null, null, null,
                List.of(new PolicyConfig.Rule("npm", "lodash", ">=1 <<2", null)), null, null, null);
        ConfigException e = assertThrows(ConfigException.class, () -> PolicyEngine.open(config(p, "T"), new TestQueue(), null));
        assertTrue(e.getMessage().contains("policy.deny[0].versions"), e.getMessage());
        PolicyConfig scope = new PolicyConfig(null, null, null, null,
                new PolicyConfig.Internal(List.of("@acme/x"), null), null, null, null, null);
        assertThrows(ConfigException.class, () -> PolicyEngine.open(config(scope, "T"), new TestQueue(), null));
    }

    @Test
    void generatesTheAdminTokenWhenNoneIsConfigured() throws Exception {
        try (PolicyEngine e = PolicyEngine.open(config(PolicyConfig.defaults(), null), new TestQueue(), null)) {
            Path f = e.adminTokenFile().orElseThrow();
            assertTrue(e.token().matches(Files.readString(f).trim()));
            assertEquals(dir.resolve("data").resolve("admin-token"), f);
        }
        try (PolicyEngine e = PolicyEngine.open(config(PolicyConfig.defaults(), "T"), new TestQueue(), null)) {
            assertTrue(e.adminTokenFile().isEmpty());
            assertTrue(e.token().matches("T"));
        }
    }
}
