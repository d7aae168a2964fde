package dev.airlock.policy.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps MapDB from ever meeting a full disk. Its write-ahead log does not survive ENOSPC (after a
 * failed write the next commit or read fails inside the log until the process restarts), so writes
 * are refused while the disk holding the store has less than a reserve left: 32 MiB, or a twentieth
 * of a smaller disk. One statfs call per write; the check and the write are not atomic, so
 * something else filling the last reserve in between can still reach MapDB.
 */
final class DiskRoom {
    static final long RESERVE_BYTES = 32L << 20;
    private final Path file;
    private final FileStore store;
    private final long reserve;

    DiskRoom(Path file) {
        this(file, -1);
    }

    /** @param reserve bytes to keep free; negative: 32 MiB or a twentieth of the disk */
    DiskRoom(Path file, long reserve) {
        this.file = file;
        FileStore s = null;
        long r = reserve;
        try {
            s = Files.getFileStore(file);
            if (r < 0) {
                r = Math.min(RESERVE_BYTES, s.getTotalSpace() / 20);
            }
        } catch (IOException e) {
            // Unknown filesystem: no check (as before); a failing write still rolls back.
        }
        this.store = s;
        this.reserve = Math.max(0, r);
    }

    /** Whether at least this many bytes are free now (an unknown filesystem: yes). */
    boolean hasFree(long bytes) {
        if (store == null) {
            return true;
        }
        try {
            return store.getUsableSpace() >= bytes;
        } catch (IOException e) {
            return true;
        }
    }

    /** Throws {@link StoreFullException} when a write now could hit a full disk. */
    void require() {
        if (store == null) {
            return;
        }
        long free;
        try {
            free = store.getUsableSpace();
        } catch (IOException e) {
            return;
        }
        if (free < reserve) {
            throw new StoreFullException("Airlock's data disk is full (" + (free >> 10) + " KiB left, " + (reserve >> 10)
                    + " KiB needed): the policy store " + file + " takes no writes until space is freed");
        }
    }
}
