package dev.airlock.analysis.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.common.StorageUnavailableException;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.testing.SmallFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis queue's file on a real, size-limited filesystem (tmpfs) that fills up and frees
 * again. The fault suite found that a commit meeting the full disk broke MapDB's write-ahead log,
 * later commits wrote the damage into the file, and the next start failed ("cannot start: Index 84
 * out of bounds for length 84"). The file must refuse writes while the disk is full, stop writing
 * after a failure inside MapDB, reopen itself once space returns, and open at the next start with
 * everything it acknowledged.
 */
@Timeout(120)
class QueueFileOnAFullDiskTest {
    @TempDir
    Path dir;
    private SmallFilesystem small;
    private Path mount;

    @BeforeEach
    void smallFilesystem() throws Exception {
        small = SmallFilesystem.mount(dir, 6);
        mount = small.root();
    }

    @AfterEach
    void unmount() throws Exception {
        if (small != null) {
            small.close();
        }
    }

    @Test
    void aFullDiskIsRefusedBeforeMapDbAndWritesWorkAgainOnceSpaceIsFreed() throws Exception {
        Path file = mount.resolve("analysis-queue.db");
        Path filler = mount.resolve("filler");
        try (QueueFile q = new QueueFile(file)) {
            assertEquals(1, q.submit(List.of(job("before")), k -> false).size());
            SmallFilesystem.fill(filler);
            StorageUnavailableException full = assertThrows(StorageUnavailableException.class,
                    () -> q.submit(List.of(job("during")), k -> false));
            assertTrue(full.getMessage().contains("data disk is full"), full.getMessage());
            Files.delete(filler);
            assertEquals(1, q.submit(List.of(job("after")), k -> false).size(), "no write after space returned");
        }
        assertEquals(Set.of("before", "after"), storedNames(file));
    }

    @Test
    void aWriteThatMeetsAFullDiskInsideMapDbFencesTheFileUntilItReopensItselfWithEverythingAcknowledged() throws Exception {
        Path file = mount.resolve("analysis-queue.db");
        Path filler = mount.resolve("filler");
        List<String> acknowledged = new ArrayList<>();
        // No reserve: the writes reach MapDB on the full disk, as when something else takes the last bytes.
        try (QueueFile q = new QueueFile(file, 0)) {
            for (int i = 0; i < 20; i++) {
                q.submit(List.of(job("before-" + i)), k -> false);
                acknowledged.add("before-" + i);
            }
            SmallFilesystem.fill(filler);
            int failed = 0;
            for (int i = 0; i < 5_000 && failed == 0; i++) {
                try {
                    q.submit(List.of(job("full-" + i)), k -> false);
                    acknowledged.add("full-" + i);
                } catch (RuntimeException e) {
                    failed++;
                }
            }
            assertTrue(failed > 0, "no write met the full disk");
            StorageUnavailableException fenced = assertThrows(StorageUnavailableException.class,
                    () -> q.submit(List.of(job("fenced")), k -> false));
            assertTrue(fenced.getMessage().contains("reopens by itself"), fenced.getMessage());

            Files.delete(filler);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    q.submit(List.of(job("after")), k -> false);
                    acknowledged.add("after");
                    break;
                } catch (StorageUnavailableException notYet) {
                    assertTrue(System.nanoTime() < deadline, "still refused 30 s after space returned: " + notYet);
                    Thread.sleep(100);
                }
            }
        }
        Set<String> stored = storedNames(file);
        for (String name : acknowledged) {
            assertTrue(stored.contains(name), name + " was acknowledged and is gone after a restart");
        }
    }

    /** What a restart finds: the file opens, and these jobs are queued. */
    private static Set<String> storedNames(Path file) {
        try (QueueFile q = new QueueFile(file)) {
            long[] seq = {0};
            return q.load(() -> ++seq[0]).stream().map(s -> s.job().coordinate().name()).collect(Collectors.toSet());
        }
    }

    private static Job job(String name) {
        return new Job(PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0"), null, AnalysisPriority.DOWNLOAD_WAITING, 1);
    }
}
