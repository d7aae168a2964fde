package dev.airlock.policy.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * Opening the embedded policy file: a clear message for a locked or damaged file, and the schema
 * record checked (written into a new file; a file of another or no version refused).
 */
final class MapDbSchema {
    private static final String SCHEMA_KEY = "schemaVersion";

    private MapDbSchema() {
    }

    /** Opens (or creates) {@code <dataDir>/policy.db} with a write-ahead log and checks its schema. */
    static DB open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
        }
        Path f = dataDir.resolve(VerdictStore.FILE_NAME);
        DB db;
        try {
            // A FileChannel, not a memory map: on a full disk a mapped page cannot be backed, the JVM
            // gets SIGBUS and MapDB an InternalError halfway through an update, after which its
            // in-memory tables are broken (readers spun in them for ever). Through the channel the
            // same full disk is an IOException that the write's rollback handles. Its positional
            // reads do not serialise readers the way RandomAccessFile's would; hot verdicts are
            // served from the cache above anyway.
            db = DBMaker.fileDB(f.toFile())
                    .fileChannelEnable()
                    .transactionEnable()
                    .make();
        } catch (org.mapdb.DBException.FileLocked e) {
            throw new IllegalStateException("policy store " + f + " is locked: is another Airlock using the data dir "
                    + dataDir + "?", e);
        } catch (RuntimeException e) {
            throw new StoreSchemaException("policy store " + f + " cannot be opened (" + e + "): it is not a MapDB "
                    + "file written by Airlock or it is damaged; restore a backup or move it away to start empty");
        }
        try {
            check(db, f);
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static void check(DB db, Path file) {
        boolean fresh = !db.getAllNames().iterator().hasNext();
        Map<String, String> meta = db.hashMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen();
        String v = meta.get(SCHEMA_KEY);
        if (v == null) {
            if (!fresh) {
                throw new StoreSchemaException("policy store " + file + " has no schema version record: it was not "
                        + "written by Airlock or is damaged; refusing to read it (move it away to start empty)");
            }
            meta.put(SCHEMA_KEY, Integer.toString(VerdictStore.SCHEMA_VERSION));
            db.commit();
            return;
        }
        int found;
        try {
            found = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new StoreSchemaException("policy store " + file + " has an unreadable schema version '" + v + "'");
        }
        if (found == VerdictStore.SCHEMA_VERSION) {
            return;
        }
        if (found > VerdictStore.SCHEMA_VERSION) {
            throw new StoreSchemaException("policy store " + file + " has schema version " + found
                    + " but this Airlock reads version " + VerdictStore.SCHEMA_VERSION
                    + ": it was written by a newer Airlock; run that version or restore a backup");
        }
        migrate(file, found);
    }

    /** Upgrades an older schema in one transaction. Version 1 is the first: nothing older exists. */
    private static void migrate(Path file, int from) {
        throw new StoreSchemaException("policy store " + file + " has schema version " + from
                + " and no migration to version " + VerdictStore.SCHEMA_VERSION + " exists; restore a backup or move it away");
    }
}
