package dev.airlock.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests that need something from the machine (a Docker engine, a real pip or npm, Chromium):
 * on a laptop without it they skip with a message; in CI ({@code CI=true}) they fail, so a
 * missing install step can never turn into a green run that tested nothing.
 */
public final class Requirements {
    private Requirements() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("airlock.requireAll");
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (inCi()) {
            fail("CI requires " + what + " but it is not available on this machine");
        }
        assumeTrue(false, "skipped: " + what + " is not available on this machine");
    }

    /** True when the command can be started and exits 0 (e.g. {@code docker info}). */
    public static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
