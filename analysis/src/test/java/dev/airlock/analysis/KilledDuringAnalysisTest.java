package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real queue in a child JVM, killed with {@code kill -9} while an analysis runs: the job is
 * run once more after one death, and after a second it is never run again but recorded as
 * {@code analysis_crashed} (held for review), so a package that kills the process cannot put it
 * into a crash loop.
 */
@Timeout(180)
class KilledDuringAnalysisTest {
    private static final String VERSION = "npm:crashy@1.0.0";
    @TempDir
    Path dir;

    /** A running child and its output lines. */
    private record Child(Process process, BlockingQueue<String> lines) {
        String await(String prefix) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
            throw new AssertionError("the child never printed " + prefix);
        }

        /** Whether a line with this prefix comes within the time given. */
        boolean says(String prefix, long millis) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < until) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private Child start(String artifact) throws IOException {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), QueueChild.class.getName(),
                dir.resolve("data").toString(), VERSION, artifact)).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child was killed
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        return new Child(p, lines);
    }

    private Path artifact() throws IOException {
        return Fixtures.npm(dir, "crashy-1.0.0", Fixtures.files("package.json", Fixtures.packageJson("crashy", "1.0.0", ""),
                "index.js", "module.exports = 1;\n"));
    }

    @Test
    void oneDeathUnderAJobRunsItOnceMoreAndItsResultIsRecorded() throws Exception {
        Child first = start("hang");
        first.await("RUNNING");
        first.kill9();
        Child second = start(artifact().toString());
        try {
            second.await("RUNNING");
            assertEquals("RESULT CLEAN", second.await("RESULT"));
        } finally {
            second.kill9();
        }
    }

    @Test
    void aSecondDeathUnderTheSameJobHoldsItAsAnalysisCrashedAndItIsNeverRunAgain() throws Exception {
        Child first = start("hang");
        first.await("RUNNING");
        first.kill9();
        Child second = start("hang");
        second.await("RUNNING");
        second.kill9();
        Child third = start(artifact().toString());
        try {
            String stored = third.await("STORED");
            assertEquals("STORED SUSPICIOUS analysis_crashed", stored);
            third.await("STARTED");
            assertFalse(third.says("RUNNING", 3_000), "a job the process died under twice must not run again");
        } finally {
            third.kill9();
        }
        Child fourth = start(artifact().toString());
        try {
            assertEquals("STORED SUSPICIOUS analysis_crashed", fourth.await("STORED"), "the record survives restarts");
            fourth.await("STARTED");
            assertFalse(fourth.says("RUNNING", 2_000));
        } finally {
            fourth.kill9();
        }
    }
}
