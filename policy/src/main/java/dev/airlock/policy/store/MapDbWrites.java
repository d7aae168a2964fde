package dev.airlock.policy.store;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.Verdict;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the embedded file is written: transactions committed before the call returns (nested ones
 * join the outer), and a group commit a fraction of a second later for what the serving path hands
 * over (first sightings and downloads would cost an fsync each), so a kill -9 loses at most the
 * last moment of those, never a committed write.
 *
 * <p>A write is refused before MapDB starts it while the disk is nearly full ({@link DiskRoom}),
 * and after a failure inside MapDB the handle is fenced; the group-commit thread reopens it once
 * the disk has room ({@link MapDbHandle}).
 */
final class MapDbWrites implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapDbWrites.class);
    private static final long GROUP_COMMIT_MS = 200;

    private final MapDbHandle handle;
    private final DiskRoom room;
    private final Runnable onDiscarded;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Verdicts waiting for the group commit; readers look here before the file. */
    final Map<PackageCoordinate, Verdict> pending = new ConcurrentHashMap<>();
    private final Queue<Map.Entry<PackageCoordinate, DownloadRecord>> pendingDownloads = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService committer;
    private volatile boolean dirty;
    private volatile boolean closed;
    private volatile boolean full;

    /**
     * @param onDiscarded told when a rollback or a reopen discarded uncommitted writes (caches must
     *     not outlive them)
     */
    MapDbWrites(MapDbHandle handle, DiskRoom room, Runnable onDiscarded) {
        this.handle = handle;
        this.room = room;
        this.onDiscarded = onDiscarded;
        this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verdict-store-commit");
            t.setDaemon(true);
            return t;
        });
        committer.scheduleWithFixedDelay(this::groupCommit, GROUP_COMMIT_MS, GROUP_COMMIT_MS, TimeUnit.MILLISECONDS);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("policy store " + handle.file() + " is closed");
        }
    }

    void download(PackageCoordinate c, DownloadRecord r) {
        ensureOpen();
        pendingDownloads.add(Map.entry(c, r));
    }

    /**
     * Runs the writes and commits them as one transaction; rolls back if they throw.
     *
     * @throws StoreFullException when the disk is nearly full (nothing was written)
     * @throws StoreFencedException after a failure inside MapDB, until the store has reopened
     */
    void write(Runnable writes) {
        writeLock.lock();
        try {
            ensureOpen();
            if (writeLock.getHoldCount() > 1) {
                // Nested in an outer transaction: its commit or rollback covers these writes too.
                writes.run();
                return;
            }
            handle.requireWritable();
            room.require();
            try {
                writes.run();
                handle.tables().db().commit();
                dirty = false;
            } catch (RuntimeException e) {
                handle.fenceIfMapDb(e);
                if (!handle.isFenced()) {
                    handle.tables().db().rollback();
                }
                // The rollback discards uncommitted group writes too.
                onDiscarded.run();
                dirty = false;
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Moves what waits for the group commit into MapDB (not yet committed). */
    void drain() {
        if (pending.isEmpty() && pendingDownloads.isEmpty()) {
            return;
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            handle.requireWritable();
            room.require();
            MapDbHandle.Tables t = handle.tables();
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                t.logs().putDownload(d.getKey(), d.getValue());
                dirty = true;
            }
            for (Map.Entry<PackageCoordinate, Verdict> e : pending.entrySet()) {
                Verdict v = e.getValue();
                t.verdicts().put(v.coordinate().toString(), StoreJson.write(v));
                // Only if unchanged meanwhile: a newer value stays pending for the next round.
                pending.remove(e.getKey(), v);
                dirty = true;
            }
        } finally {
            writeLock.unlock();
        }
    }

    void groupCommit() {
        try {
            drain();
            if (full) {
                full = false;
                LOG.info("the data disk has room again: group writes of {} resume", handle.file());
            }
        } catch (StoreFullException e) {
            if (!full) {
                full = true;
                LOG.warn("{}; sightings and downloads wait in memory meanwhile", e.getMessage());
            }
            return;
        } catch (StoreFencedException e) {
            reopenWhenRoom();
            return;
        } catch (RuntimeException e) {
            handle.fenceIfMapDb(e);
            LOG.warn("group write of {} failed", handle.file(), e);
        }
        if (handle.isFenced()) {
            reopenWhenRoom();
            return;
        }
        if (!dirty || closed) {
            return;
        }
        writeLock.lock();
        try {
            if (dirty && !closed && !handle.isFenced()) {
                handle.tables().db().commit();
                dirty = false;
            }
        } catch (RuntimeException e) {
            handle.fenceIfMapDb(e);
            LOG.warn("group commit of {} failed", handle.file(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Recovery from a fence without a restart, tried from the group-commit thread at most every 2 s. */
    private void reopenWhenRoom() {
        if (!handle.dueForReopen(room)) {
            return;
        }
        writeLock.lock();
        try {
            if (!closed && handle.isFenced() && handle.reopen()) {
                onDiscarded.run();
                dirty = false;
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        // Not shutdownNow: interrupting a thread inside MapDB closes its file channel for everyone.
        committer.shutdown();
        try {
            if (!committer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("group commit of {} did not finish in time", handle.file());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            if (handle.isFenced()) {
                // Nothing more reaches the file: what it holds is the last good commit.
                closed = true;
                handle.close();
                return;
            }
            MapDbHandle.Tables t = handle.tables();
            for (Verdict v : pending.values()) {
                t.verdicts().put(v.coordinate().toString(), StoreJson.write(v));
            }
            pending.clear();
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                t.logs().putDownload(d.getKey(), d.getValue());
            }
            t.db().commit();
            closed = true;
            handle.close();
        } finally {
            writeLock.unlock();
        }
    }
}
