package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Background analyses wait while first downloads are being checked, never longer than the cap, and never a waiting download. */
class BackgroundSubmissionsTest {
    private final TestQueue queue = new TestQueue();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private static final PackageCoordinate NEW = PackageCoordinate.of(Ecosystem.NPM, "fresh", "2.0.0");
    private static final PackageCoordinate OLD = PackageCoordinate.of(Ecosystem.NPM, "old", "1.0.0");

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void withNothingBusyASubmissionGoesToTheQueueAtOnce() {
        try (BackgroundSubmissions b = new BackgroundSubmissions(queue, now::get)) {
            b.submit(NEW, null, AnalysisPriority.NEW_VERSION);
            assertTrue(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
            assertEquals(0, b.waiting());
        }
    }

    @Test
    void whileStaticChecksRunBackgroundWorkWaitsUntilQuietButADownloadThatWaitsDoesNot() {
        try (BackgroundSubmissions b = new BackgroundSubmissions(queue, now::get)) {
            b.busy();
            b.submit(OLD, ArtifactFile.of("old-1.0.0.tgz", null, null), AnalysisPriority.BACKGROUND_SWEEP);
            b.submit(NEW, null, AnalysisPriority.NEW_VERSION);
            b.submit(NEW, null, AnalysisPriority.DOWNLOAD_WAITING);
            assertTrue(queue.submitted(NEW, AnalysisPriority.DOWNLOAD_WAITING), "someone waits for it: at once");
            assertFalse(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
            assertEquals(2, b.waiting());
            advanceMillis(BackgroundSubmissions.QUIET_MILLIS - 1);
            b.handOver();
            assertEquals(2, b.waiting(), "not quiet yet");
            advanceMillis(1);
            b.handOver();
            assertEquals(0, b.waiting());
            assertTrue(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
            assertEquals(java.util.List.of(new TestQueue.FileSubmission(OLD, ArtifactFile.of("old-1.0.0.tgz", null, null),
                    AnalysisPriority.BACKGROUND_SWEEP)), queue.fileSubmissions, "a file's job stays the file's");
        }
    }

    @Test
    void underEndlessFirstDownloadsNothingWaitsLongerThanTheCap() {
        try (BackgroundSubmissions b = new BackgroundSubmissions(queue, now::get)) {
            b.busy();
            b.submit(NEW, null, AnalysisPriority.NEW_VERSION);
            for (long waited = 0; waited < BackgroundSubmissions.MAX_WAIT_MILLIS; waited += 1_000) {
                b.busy();
                b.handOver();
                assertFalse(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
                advanceMillis(1_000);
            }
            b.busy();
            b.handOver();
            assertTrue(queue.submitted(NEW, AnalysisPriority.NEW_VERSION), "handed over at the cap although still busy");
        }
    }

    @Test
    void closingHandsEverythingWaitingToTheQueue() {
        BackgroundSubmissions b = new BackgroundSubmissions(queue, now::get);
        b.busy();
        b.submit(NEW, null, AnalysisPriority.NEW_VERSION);
        assertFalse(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
        b.close();
        assertTrue(queue.submitted(NEW, AnalysisPriority.NEW_VERSION));
    }
}
