package dev.airlock.policy.store.pg;

import dev.airlock.policy.Verdict;
import dev.airlock.policy.store.StoreJson;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;

/** The {@code verdicts} table: one JSON verdict per version key, with the revision of its last write. */
final class VerdictRows {
    private static final String UPSERT = "INSERT INTO verdicts (key, json, rev) VALUES (?, ?, nextval('airlock_rev')) "
            + "ON CONFLICT (key) DO UPDATE SET json = EXCLUDED.json, rev = EXCLUDED.rev";

    /** What a row read gives: the verdict and its revision. */
    @FunctionalInterface
    interface Visitor {
        void row(Verdict v, long rev);
    }

    private VerdictRows() {
    }

    /** Writes whatever is there; returns the new revision. */
    static long write(Connection c, Verdict v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT + " RETURNING rev")) {
            ps.setString(1, v.coordinate().toString());
            ps.setString(2, StoreJson.write(v));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Writes only if the row is still at {@code baseRev} (0: only if there is none), so a
     * sighting worked out on an older value never overwrites a newer one another node wrote.
     *
     * @return the new revision, or -1 when the row had moved on
     */
    static long writeIfAt(Connection c, Verdict v, long baseRev) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT + " WHERE verdicts.rev = ? RETURNING rev")) {
            ps.setString(1, v.coordinate().toString());
            ps.setString(2, StoreJson.write(v));
            ps.setLong(3, baseRev);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** Takes a lock on the version's key until the transaction ends, whether or not its row exists yet. */
    static void lock(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, key);
            ps.execute();
        }
    }

    static void read(Connection c, String key, Visitor visitor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT json, rev FROM verdicts WHERE key = ?")) {
            ps.setString(1, key);
            visit(ps, visitor);
        }
    }

    static void read(Connection c, Collection<String> keys, Visitor visitor) throws SQLException {
        Array array = c.createArrayOf("text", keys.toArray());
        try (PreparedStatement ps = c.prepareStatement("SELECT json, rev FROM verdicts WHERE key = ANY (?)")) {
            ps.setArray(1, array);
            visit(ps, visitor);
        }
    }

    /** Every row written after {@code rev}, oldest first; returns the highest revision read (or {@code rev}). */
    static long readSince(Connection c, long rev, Visitor visitor) throws SQLException {
        long highest = rev;
        try (PreparedStatement ps = c.prepareStatement("SELECT json, rev FROM verdicts WHERE rev > ? ORDER BY rev")) {
            ps.setLong(1, rev);
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long r = rs.getLong(2);
                    visitor.row(StoreJson.read(rs.getString(1), Verdict.class), r);
                    highest = Math.max(highest, r);
                }
            }
        }
        return highest;
    }

    private static void visit(PreparedStatement ps, Visitor visitor) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                visitor.row(StoreJson.read(rs.getString(1), Verdict.class), rs.getLong(2));
            }
        }
    }
}
