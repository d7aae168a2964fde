package dev.airlock.proxy.cli;

import dev.airlock.config.PolicyConfig;
import dev.airlock.testing.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code airlock admin} against a {@link PolicyServer} (the real admin API and policy store in a
 * fresh data directory), with the URL and token in the environment as an admin would set them.
 * Register it with {@code @RegisterExtension}; each test gets its own server.
 */
final class AdminCliFixture implements BeforeEachCallback, AfterEachCallback {
    static final String TOKEN = "cli-token";
    private final PolicyConfig policy;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Path dir;
    private PolicyServer airlock;

    /** @param policy the server's policy settings (null: defaults) */
    AdminCliFixture(PolicyConfig policy) {
        this.policy = policy;
    }

    PolicyServer airlock() {
        return airlock;
    }

    /** Runs {@code airlock admin ARGS} with AIRLOCK_URL and AIRLOCK_ADMIN_TOKEN set; output from earlier runs is cleared. */
    int admin(String... args) {
        return run(Map.of("AIRLOCK_URL", airlock.url().toString(), "AIRLOCK_ADMIN_TOKEN", TOKEN), args);
    }

    /** Runs {@code airlock admin ARGS} with only this environment. */
    int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return AdminCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = TempDirs.create("airlock-admin-cli-test");
        airlock = new PolicyServer(dir, TOKEN, policy);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (airlock != null) {
            airlock.close();
        }
        TempDirs.delete(dir);
    }
}
