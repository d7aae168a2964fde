package dev.airlock.policy.store;

import java.nio.file.Path;

/**
 * The policy store's side of {@link dev.airlock.common.DiskRoom}: a write is refused with
 * {@link StoreFullException} (503 from the admin API, never a crash) before MapDB starts it while
 * the disk holding the store is below its reserve.
 */
final class DiskRoom {
    private final Path file;
    private final dev.airlock.common.DiskRoom disk;

    DiskRoom(Path file) {
        this(file, -1);
    }

    /** @param reserve bytes to keep free; negative: 32 MiB or a twentieth of the disk */
    DiskRoom(Path file, long reserve) {
        this.file = file;
        this.disk = new dev.airlock.common.DiskRoom(file, reserve);
    }

    /** Whether at least this many bytes are free now (an unknown filesystem: yes). */
    boolean hasFree(long bytes) {
        return disk.hasFree(bytes);
    }

    /** Throws {@link StoreFullException} when a write now could hit a full disk. */
    void require() {
        if (!disk.roomy()) {
            throw new StoreFullException("Airlock's data disk is full (" + (disk.free() >> 10) + " KiB left, "
                    + (disk.reserve() >> 10) + " KiB needed): the policy store " + file
                    + " takes no writes until space is freed");
        }
    }
}
