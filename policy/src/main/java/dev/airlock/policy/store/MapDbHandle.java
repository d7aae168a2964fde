package dev.airlock.policy.store;

import dev.airlock.common.MapDbFailures;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open handle of the embedded file and its tables, swappable as a whole. After a failure inside
 * MapDB (a write that met a full disk halfway, say) its in-memory state no longer matches the file:
 * a rollback does not repair its write-ahead log, and further commits wrote that damage into the
 * file, which then could not be opened ("cannot start"). So the first such failure fences the
 * handle: no more writes, as if the process had crashed there, and the file keeps its last good
 * commit. {@link #reopen} later opens the file afresh, exactly as a restart would.
 *
 * <p>Readers take {@link #tables()} once per call; the writer swaps it under its write lock.
 */
final class MapDbHandle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapDbHandle.class);
    private static final long REOPEN_EVERY_MS = 2_000;
    /** Room for the new write-ahead log file that opening starts, whatever the reserve. */
    private static final long REOPEN_MIN_FREE = 1L << 20;

    /** The tables of one open handle. */
    record Tables(DB db, BTreeMap<String, String> verdicts, BTreeMap<String, String> overrides,
            BTreeMap<String, String> feed, BTreeMap<String, String> holdExemptions, MapDbLogs logs) {

        static Tables of(DB db) {
            Tables t = new Tables(db,
                    db.treeMap("verdicts", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen(),
                    db.treeMap("overrides", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen(),
                    db.treeMap("feed", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen(),
                    // Added without a schema bump: an older store simply has none yet.
                    db.treeMap("holdExemptions", Serializer.STRING, Serializer.STRING).createOrOpen(),
                    new MapDbLogs(db));
            db.commit();
            return t;
        }
    }

    private final Path dataDir;
    private final Path file;
    private volatile Tables tables;
    /** Why MapDB may no longer be written to, or null (see {@link #fenceIfMapDb}). */
    private volatile String fenced;
    private long lastReopenTry = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(REOPEN_EVERY_MS);

    private MapDbHandle(Path dataDir, Tables tables) {
        this.dataDir = dataDir;
        this.file = dataDir.resolve(VerdictStore.FILE_NAME);
        this.tables = tables;
    }

    /** Opens (or creates) {@code <dataDir>/policy.db}; see {@link MapDbSchema#open}. */
    static MapDbHandle open(Path dataDir) {
        DB db = MapDbSchema.open(dataDir);
        try {
            return new MapDbHandle(dataDir, Tables.of(db));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    Tables tables() {
        return tables;
    }

    Path file() {
        return file;
    }

    boolean isFenced() {
        return fenced != null;
    }

    /**
     * Fences the handle when {@code e} came from inside MapDB. Errors thrown by the writes' own
     * logic (a conflict, a bad argument) are not MapDB's and roll back as usual.
     */
    void fenceIfMapDb(RuntimeException e) {
        if (fenced != null || !MapDbFailures.inside(e)) {
            return;
        }
        fenced = e.toString();
        LOG.error("the policy store {} failed inside MapDB ({}): it takes no writes until it is reopened at its last "
                + "good commit, by itself once the disk has room (or by a restart); nothing acknowledged is lost", file, fenced);
    }

    /** @throws StoreFencedException when the handle is fenced */
    void requireWritable() {
        String why = fenced;
        if (why != null) {
            throw new StoreFencedException("the policy store " + file + " takes no writes after a failure inside its "
                    + "database (" + why + "); it reopens by itself once the disk has room (a restart reopens it too): "
                    + "nothing it acknowledged is lost");
        }
    }

    /** Whether a reopen is worth trying now: fenced, not tried in the last 2 s, and the disk has room. */
    boolean dueForReopen(DiskRoom room) {
        if (fenced == null) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastReopenTry < TimeUnit.MILLISECONDS.toNanos(REOPEN_EVERY_MS)) {
            return false;
        }
        lastReopenTry = now;
        if (!room.hasFree(REOPEN_MIN_FREE)) {
            return false;
        }
        try {
            room.require();
            return true;
        } catch (StoreFullException e) {
            return false;
        }
    }

    /**
     * Closes the broken handle without a commit and opens the file afresh, at its last good commit:
     * acknowledged writes are there, the failed one and group writes not yet committed are not, as
     * after a kill -9. The caller holds the write lock. A reader that fetched the tables of the
     * closed handle just before the swap fails once (its request answers an error); later reads use
     * the new tables.
     *
     * @return whether the store is open and writable again
     */
    boolean reopen() {
        if (fenced == null) {
            return true;
        }
        try {
            tables.db().close();
        } catch (RuntimeException | Error e) {
            LOG.debug("closing the failed handle of {}: {}", file, e.toString());
        }
        try {
            tables = Tables.of(MapDbSchema.open(dataDir));
        } catch (RuntimeException e) {
            LOG.warn("the policy store {} could not be reopened yet ({}); trying again in {} ms", file, e.toString(),
                    REOPEN_EVERY_MS);
            return false;
        }
        String was = fenced;
        fenced = null;
        LOG.info("the policy store {} reopened at its last good commit after the failure inside MapDB ({}): "
                + "writes resume", file, was);
        return true;
    }

    @Override
    public void close() {
        tables.db().close();
    }
}
