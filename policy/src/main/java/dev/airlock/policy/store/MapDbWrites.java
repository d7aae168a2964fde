package dev.airlock.policy.store;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.Verdict;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the embedded file is written: transactions committed before the call returns (nested ones
 * join the outer), and a group commit a fraction of a second later for what the serving path hands
 * over (first sightings and downloads would cost an fsync each), so a kill -9 loses at most the
 * last moment of those, never a committed write.
 */
final class MapDbWrites implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapDbWrites.class);
    private static final long GROUP_COMMIT_MS = 200;

    private final Path file;
    private final DB db;
    private final BTreeMap<String, String> verdicts;
    private final MapDbLogs logs;
    private final Runnable onRollback;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Verdicts waiting for the group commit; readers look here before the file. */
    final Map<PackageCoordinate, Verdict> pending = new ConcurrentHashMap<>();
    private final Queue<Map.Entry<PackageCoordinate, DownloadRecord>> pendingDownloads = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService committer;
    private volatile boolean dirty;
    private volatile boolean closed;

    /** @param onRollback told when a rollback discarded uncommitted writes (caches must not outlive them) */
    MapDbWrites(Path file, DB db, BTreeMap<String, String> verdicts, MapDbLogs logs, Runnable onRollback) {
        this.file = file;
        this.db = db;
        this.verdicts = verdicts;
        this.logs = logs;
        this.onRollback = onRollback;
        this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verdict-store-commit");
            t.setDaemon(true);
            return t;
        });
        committer.scheduleWithFixedDelay(this::groupCommit, GROUP_COMMIT_MS, GROUP_COMMIT_MS, TimeUnit.MILLISECONDS);
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("policy store " + file + " is closed");
        }
    }

    void download(PackageCoordinate c, DownloadRecord r) {
        ensureOpen();
        pendingDownloads.add(Map.entry(c, r));
    }

    /** Runs the writes and commits them as one transaction; rolls back if they throw. */
    void write(Runnable writes) {
        writeLock.lock();
        try {
            ensureOpen();
            if (writeLock.getHoldCount() > 1) {
                // Nested in an outer transaction: its commit or rollback covers these writes too.
                writes.run();
                return;
            }
            try {
                writes.run();
                db.commit();
                dirty = false;
            } catch (RuntimeException e) {
                db.rollback();
                // The rollback discards uncommitted group writes too.
                onRollback.run();
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
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                logs.putDownload(d.getKey(), d.getValue());
                dirty = true;
            }
            for (Map.Entry<PackageCoordinate, Verdict> e : pending.entrySet()) {
                Verdict v = e.getValue();
                verdicts.put(v.coordinate().toString(), StoreJson.write(v));
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
        } catch (RuntimeException e) {
            LOG.warn("group write of {} failed", file, e);
        }
        if (!dirty || closed) {
            return;
        }
        writeLock.lock();
        try {
            if (dirty && !closed) {
                db.commit();
                dirty = false;
            }
        } catch (RuntimeException e) {
            LOG.warn("group commit of {} failed", file, e);
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
                LOG.warn("group commit of {} did not finish in time", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            for (Verdict v : pending.values()) {
                verdicts.put(v.coordinate().toString(), StoreJson.write(v));
            }
            pending.clear();
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                logs.putDownload(d.getKey(), d.getValue());
            }
            db.commit();
            closed = true;
            db.close();
        } finally {
            writeLock.unlock();
        }
    }
}
