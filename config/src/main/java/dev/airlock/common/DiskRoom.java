package dev.airlock.common;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps a MapDB file from meeting a full disk. Its write-ahead log does not survive ENOSPC (after
 * a failed write the next commit fails inside the log, and further commits write the damage into
 * the file), so its owners refuse writes while the disk holding the file has less than a reserve
 * left: 32 MiB, or a twentieth of a smaller disk. One statfs call per check; the check and the
 * write are not atomic, so something else filling the last reserve in between can still reach
 * MapDB, which is why the owners also stop writing after a failure inside it.
 */
public final class DiskRoom {
    public static final long RESERVE_BYTES = 32L << 20;
    private final FileStore store;
    private final long reserve;

    /** For a file (or directory) on the disk to watch, with the default reserve. */
    public DiskRoom(Path onDisk) {
        this(onDisk, -1);
    }

    /** @param reserve bytes to keep free; negative: 32 MiB or a twentieth of the disk */
    public DiskRoom(Path onDisk, long reserve) {
        FileStore s = null;
        long r = reserve;
        try {
            Path p = onDisk;
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            s = p == null ? null : Files.getFileStore(p);
            if (s != null && r < 0) {
                r = Math.min(RESERVE_BYTES, s.getTotalSpace() / 20);
            }
        } catch (IOException e) {
            // Unknown filesystem: no check; a failing write still fails on its own.
        }
        this.store = s;
        this.reserve = Math.max(0, r);
    }

    public long reserve() {
        return reserve;
    }

    /** Whether at least this many bytes are free now (an unknown filesystem: yes). */
    public boolean hasFree(long bytes) {
        return free() >= bytes;
    }

    /** Whether a write now keeps the reserve free. */
    public boolean roomy() {
        return hasFree(reserve);
    }

    /** Bytes free now; {@link Long#MAX_VALUE} for an unknown filesystem. */
    public long free() {
        if (store == null) {
            return Long.MAX_VALUE;
        }
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
