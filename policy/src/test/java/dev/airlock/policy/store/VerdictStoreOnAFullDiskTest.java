package dev.airlock.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import dev.airlock.testing.SmallFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy store on a real, size-limited filesystem (tmpfs) that fills up and frees again. A
 * memory-mapped store turned the full disk into a SIGBUS inside MapDB (an InternalError thrown from
 * wherever the mapped page was touched), which left MapDB's in-memory tables half-written: the
 * fault suite then saw reader threads spin in them for ever while /healthz still answered. The
 * store must instead refuse the writes it cannot make, keep answering reads, take writes again
 * once there is space, and have lost nothing it acknowledged.
 */
@Timeout(120)
class VerdictStoreOnAFullDiskTest {
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
    void aFullDiskRefusesWritesBeforeMapDbKeepsReadsAnsweringAndLosesNothingAcknowledged() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        Path filler = mount.resolve("filler");
        ExecutorService readers = Executors.newFixedThreadPool(3);
        AtomicBoolean stop = new AtomicBoolean();
        try (VerdictStore s = VerdictStore.open(mount.resolve("data"))) {
            for (int i = 0; i < 50; i++) {
                s.putVerdict(verdict("before-" + i));
                acknowledged.add("before-" + i);
            }
            List<Future<Integer>> reads = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                reads.add(readers.submit(() -> {
                    int n = 0;
                    while (!stop.get()) {
                        for (int i = 0; i < 50; i++) {
                            s.verdict(PackageCoordinate.of(Ecosystem.NPM, "before-" + i, "1.0.0"));
                            s.verdict(PackageCoordinate.of(Ecosystem.NPM, "during-" + (n * 7 + i) % 400, "1.0.0"));
                        }
                        n++;
                        Thread.sleep(2);   // readers as requests make them, not a spin that starves MapDB's commit
                    }
                    return n;
                }));
            }
            SmallFilesystem.fill(filler);
            int refused = 0;
            for (int i = 0; i < 400; i++) {
                try {
                    s.putVerdict(verdict("during-" + i));
                    acknowledged.add("during-" + i);
                } catch (StoreFullException e) {
                    assertTrue(e.getMessage().contains("data disk is full"), e.getMessage());
                    refused++;
                }
                s.putVerdictSoon(verdict("soon-" + i));
            }
            assertTrue(refused > 0, "nothing was refused: the disk never filled");

            Files.delete(filler);
            for (int i = 0; i < 50; i++) {
                s.putVerdict(verdict("after-" + i));
                acknowledged.add("after-" + i);
            }
            stop.set(true);
            for (Future<Integer> f : reads) {
                assertTrue(f.get(30, TimeUnit.SECONDS) > 0, "a reader never finished a round");
            }
            for (String name : acknowledged) {
                assertTrue(s.verdict(PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0")).isPresent(), name);
            }
        } finally {
            stop.set(true);
            readers.shutdownNow();
            Files.deleteIfExists(filler);
        }
        try (VerdictStore s = VerdictStore.open(mount.resolve("data"))) {
            for (String name : acknowledged) {
                assertEquals(VerdictState.ALLOWED, s.verdict(PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0"))
                        .orElseThrow(() -> new AssertionError(name + " was acknowledged and is gone")).state(), name);
            }
        }
    }

    @Test
    void aWriteThatMeetsAFullDiskInsideMapDbStopsAllWritesUntilTheStoreReopensItselfWithEverythingAcknowledged()
            throws Exception {
        List<String> acknowledged = new ArrayList<>();
        Path filler = mount.resolve("filler");
        try {
            // No reserve: the full disk reaches MapDB, as when something else fills it during a write.
            try (VerdictStore s = MapDbVerdictStore.open(mount.resolve("data"), 0L)) {
                for (int i = 0; i < 50; i++) {
                    s.putVerdict(verdict("before-" + i));
                    acknowledged.add("before-" + i);
                }
                SmallFilesystem.fill(filler);
                int failed = 0;
                for (int i = 0; i < 400 && failed == 0; i++) {
                    try {
                        s.putVerdict(verdict("during-" + i));
                        acknowledged.add("during-" + i);
                    } catch (RuntimeException e) {
                        failed++;
                    }
                }
                assertTrue(failed > 0, "no write met the full disk");
                StoreFencedException fenced = assertThrows(StoreFencedException.class, () -> s.putVerdict(verdict("full")),
                        "a store whose database failed must not be written again before it is reopened");
                assertTrue(fenced.getMessage().contains("reopens by itself once the disk has room"), fenced.getMessage());
                s.putVerdictSoon(verdict("soon"));

                // Space comes back: without a restart, the store reopens at its last good commit and takes writes.
                Files.delete(filler);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (true) {
                    try {
                        s.putVerdict(verdict("after"));
                        acknowledged.add("after");
                        break;
                    } catch (StoreUnavailableException notYet) {
                        assertTrue(System.nanoTime() < deadline, "still refused 30 s after space returned: " + notYet);
                        Thread.sleep(100);
                    }
                }
                for (String name : acknowledged) {
                    assertTrue(s.verdict(PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0")).isPresent(),
                            name + " was acknowledged and is gone after the reopen");
                }
                // A first sighting that waited in memory meanwhile is written once the store is open again.
                s.flush();
                acknowledged.add("soon");
            }
            try (VerdictStore s = VerdictStore.open(mount.resolve("data"))) {
                for (String name : acknowledged) {
                    assertTrue(s.verdict(PackageCoordinate.of(Ecosystem.NPM, name, "1.0.0")).isPresent(),
                            name + " was acknowledged and is gone");
                }
                s.putVerdict(verdict("after-restart"));
            }
            try (VerdictStore s = VerdictStore.open(mount.resolve("data"))) {
                assertTrue(s.verdict(PackageCoordinate.of(Ecosystem.NPM, "after-restart", "1.0.0")).isPresent());
            }
        } finally {
            Files.deleteIfExists(filler);
        }
    }

    private static Verdict verdict(String name) {
        return VerdictStoreTest.verdict(name, "1.0.0", VerdictState.ALLOWED);
    }
}
