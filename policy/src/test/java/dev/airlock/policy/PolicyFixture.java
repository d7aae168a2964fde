package dev.airlock.policy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real policy engine for one test: a MapDB store in a fresh data directory, a clock the test
 * moves, and the {@link TestQueue} standing in for analysis. Register it with
 * {@code @RegisterExtension}; the engine is closed and the directory removed after each test.
 */
public final class PolicyFixture implements BeforeEachCallback, AfterEachCallback {
    public final MutableClock clock;
    public final TestQueue queue = new TestQueue();
    private Path dir;
    private PolicyEngine engine;

    public PolicyFixture(Instant now) {
        this.clock = new MutableClock(now);
    }

    /** Opens the engine with this policy (null: defaults) and static check (null: none). */
    public PolicyEngine open(PolicyConfig policy, StaticCheck check) {
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir, null, null, null, null, "T", null, null, policy, null, null);
        engine = PolicyEngine.open(cfg, queue, check, clock, 60_000);
        return engine;
    }

    /** The data directory (also a convenient real path for a test's files). */
    public Path dir() {
        return dir;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = TempDirs.create("airlock-policy-test");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (engine != null) {
            engine.close();
        }
        TempDirs.delete(dir);
    }
}
