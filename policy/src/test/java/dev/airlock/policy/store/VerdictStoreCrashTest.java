package dev.airlock.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.VerdictState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kill -9 in the middle of writes loses no committed verdict or override and leaves the store readable. */
class VerdictStoreCrashTest {
    private static final int ROUNDS = 3;
    private static final int COMMITS_BEFORE_KILL = 100;

    @TempDir
    Path dir;

    @Test
    void aKilledWriterLosesNoCommittedVerdictOrOverride() throws Exception {
        int next = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int last = runAndKill(next);
            assertTrue(last >= next + COMMITS_BEFORE_KILL - 1, "child committed too little before the kill: " + last);
            try (VerdictStore s = VerdictStore.open(dir)) {
                for (int i = 0; i <= last; i++) {
                    PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "pkg-" + i, "1.0." + i);
                    assertEquals(VerdictState.BLOCKED, s.verdict(c).orElseThrow(() -> new AssertionError("lost " + c)).state());
                    assertEquals("reason " + i, s.override("npm:pkg-" + i)
                            .orElseThrow(() -> new AssertionError("lost override " + c)).reason());
                }
                assertTrue(s.audit(null, Integer.MAX_VALUE).size() >= last + 1, "audit lines lost");
            }
            next = last + 1;
        }
    }

    /** Starts a writer, kills it (SIGKILL) after enough commits, returns the last number it reported committed. */
    private int runAndKill(int start) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                dir.toString(), Integer.toString(start), "1000000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int last = start - 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; System.nanoTime() < deadline && (line = r.readLine()) != null; ) {
                if (line.startsWith("committed ")) {
                    last = Integer.parseInt(line.substring(10));
                    if (last - start + 1 >= COMMITS_BEFORE_KILL) {
                        p.destroyForcibly();
                        break;
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
        assertEquals(137, p.exitValue(), "child was not killed by SIGKILL");
        return last;
    }
}
