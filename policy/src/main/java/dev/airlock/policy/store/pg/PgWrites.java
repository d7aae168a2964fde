package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.Verdict;
import dev.airlock.sql.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write of policy's shared store: to the database first, with a notification for the other
 * nodes, then into this node's mirror (at once for a verdict, read back if its transaction rolls
 * back; after the commit for the small tables).
 */
final class PgWrites {
    private static final Logger LOG = LoggerFactory.getLogger(PgWrites.class);
    private final Database db;
    private final String node;
    private final Mirrors mirrors;
    private final PendingWrites pending;

    PgWrites(Database db, Mirrors mirrors, PendingWrites pending) {
        this.db = db;
        this.node = db.nodeId();
        this.mirrors = mirrors;
        this.pending = pending;
    }

    /** Reads the row under a lock on its key, lets {@code change} make the next verdict and writes it (null: none). */
    Verdict update(PackageCoordinate coordinate, Function<Optional<Verdict>, Verdict> change) {
        return db.transaction(c -> {
            String key = coordinate.toString();
            VerdictRows.lock(c, key);
            VerdictMirror.Entry[] row = new VerdictMirror.Entry[1];
            VerdictRows.read(c, key, (v, rev) -> row[0] = new VerdictMirror.Entry(v, rev));
            long stored = row[0] == null ? 0 : row[0].rev();
            PendingWrites.Sighting s = pending.sighting(coordinate);
            // A sighting not yet written but worked out from the stored row is newer than it.
            Optional<Verdict> base = s != null && s.baseRev() == stored ? Optional.of(s.verdict())
                    : Optional.ofNullable(row[0] == null ? null : row[0].verdict());
            Verdict next = change.apply(base);
            if (next != null) {
                writeNow(c, next);
            }
            return next;
        });
    }

    /** Writes a verdict in the caller's transaction and shows it in the mirror at once (read back if it rolls back). */
    void writeNow(Connection c, Verdict v) throws SQLException {
        long rev = VerdictRows.write(c, v);
        Database.notify(c, PolicyChannel.NAME, PolicyChannel.verdict(node, v.coordinate()));
        pending.superseded(v.coordinate());
        mirrors.verdicts.apply(v, rev, false);
        mirrors.local(v);
        db.afterRollback(() -> readBack(v.coordinate()));
    }

    void readBack(PackageCoordinate coordinate) {
        try {
            db.transaction(c -> {
                VerdictRows.read(c, coordinate.toString(), (v, rev) -> mirrors.remote(v, rev, true));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("shared store: could not read back {} after a rolled-back write (the reconcile will): {}", coordinate,
                    e.getMessage());
        }
    }

    /** Writes rows of a small table with their audit lines in one transaction; the mirror follows once it commits. */
    List<AuditEntry> changeKeyed(Mirrors.Kind kind, Map<String, String> rows, List<AuditEntry> auditLines) {
        KeyedRows table = ChangeFeed.rows(kind);
        List<AuditEntry> written = db.transaction(c -> {
            for (Map.Entry<String, String> e : rows.entrySet()) {
                table.put(c, e.getKey(), e.getValue());
                Database.notify(c, PolicyChannel.NAME, kind == Mirrors.Kind.OVERRIDE
                        ? PolicyChannel.override(node, e.getKey()) : PolicyChannel.exemption(node, e.getKey()));
            }
            List<AuditEntry> out = new ArrayList<>();
            for (AuditEntry line : auditLines) {
                out.add(AuditRows.append(c, line));
            }
            return out;
        });
        rows.forEach((k, json) -> mirrors.keyed(kind, k, json, false));
        return written;
    }

    void changeFeedRecords(Map<String, String> put, Collection<String> remove, AuditEntry auditLine) {
        KeyedRows table = ChangeFeed.rows(Mirrors.Kind.FEED);
        db.transaction(c -> {
            for (Map.Entry<String, String> e : put.entrySet()) {
                table.put(c, e.getKey(), e.getValue());
            }
            for (String id : remove) {
                table.put(c, id, null);
            }
            if (auditLine != null) {
                AuditRows.append(c, auditLine);
            }
            Database.notify(c, PolicyChannel.NAME, PolicyChannel.feed(node));
            return null;
        });
        put.forEach((k, json) -> mirrors.keyed(Mirrors.Kind.FEED, k, json, false));
        remove.forEach(k -> mirrors.keyed(Mirrors.Kind.FEED, k, null, false));
    }

    /** Writes the waiting sightings and downloads now and applies the outcome to the mirror. */
    void flush() {
        pending.flush(new PendingWrites.Outcome() {
            @Override
            public void written(PendingWrites.Sighting s, long rev) {
                VerdictMirror.Entry now = mirrors.verdicts.entry(s.verdict().coordinate());
                if (now != null && now.verdict() == s.verdict()) {
                    mirrors.verdicts.apply(s.verdict(), rev, false);
                }
            }

            @Override
            public void movedOn(PackageCoordinate c) {
                // Another node wrote the version first: its value wins and replaces this node's sighting.
                readBack(c);
            }
        });
    }
}
