package dev.airlock.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncLineSinkTest {
    @Test
    void linesReachTheLogInOrderOffTheCallersThread() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (AsyncLineSink<String> sink = new AsyncLineSink<>(l -> {
            got.add(l);
            threads.add(Thread.currentThread().getName());
        })) {
            for (int i = 0; i < 100; i++) {
                sink.write("line " + i);
            }
        }
        assertEquals(100, got.size());
        assertEquals("line 0", got.get(0));
        assertEquals("line 99", got.get(99));
        assertTrue(threads.stream().allMatch("access-log"::equals));
    }

    @Test
    void aStuckWriterDropsAndCountsLinesInsteadOfBlockingRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (AsyncLineSink<String> sink = new AsyncLineSink<>(l -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            long start = System.nanoTime();
            for (int i = 0; i < 20_000; i++) {
                sink.write("x");
            }
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5, "writes never block");
            assertTrue(sink.dropped() > 0);
            release.countDown();
        }
    }

    @Test
    void aLineReachesTheLogWithinAFractionOfASecondWhileTheSinkStaysOpen() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        try (AsyncLineSink<String> sink = new AsyncLineSink<>(l -> written.countDown())) {
            Thread.sleep(3 * AsyncLineSink.PAUSE_MILLIS); // the writer is resting now
            sink.write("late line");
            assertTrue(written.await(2, TimeUnit.SECONDS), "the resting writer never picked the line up");
        }
    }
}
