package dev.airlock.policy.store.pg;

import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.store.StoreJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The audit log in the {@code audit} table: sequence numbers come from the database, so they are unique across nodes. */
final class AuditRows {
    private static final int CHUNK = 500;

    private AuditRows() {
    }

    /** Appends a line with the next sequence number and returns it as written. */
    static AuditEntry append(Connection c, AuditEntry e) throws SQLException {
        long seq;
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval(pg_get_serial_sequence('audit', 'seq'))");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
        }
        AuditEntry w = new AuditEntry(seq, e.at(), e.who(), e.action(), e.target(), e.previousState(), e.newState(), e.reason());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit (seq, json) VALUES (?, ?)")) {
            ps.setLong(1, seq);
            ps.setString(2, StoreJson.write(w));
            ps.executeUpdate();
        }
        return w;
    }

    /** One page, newest first, read downwards from the cursor in chunks (the same walk as the embedded store's). */
    static AuditPage page(Connection c, AuditQuery q) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        long before = q.before() == null ? Long.MAX_VALUE : q.before();
        while (true) {
            int read = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, json FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?")) {
                ps.setLong(1, before);
                ps.setInt(2, CHUNK);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        before = rs.getLong(1);
                        AuditEntry e = StoreJson.read(rs.getString(2), AuditEntry.class);
                        if (!q.matches(e)) {
                            continue;
                        }
                        if (out.size() == q.limit()) {
                            return new AuditPage(out, out.get(out.size() - 1).seq());
                        }
                        out.add(e);
                    }
                }
            }
            if (read < CHUNK) {
                return new AuditPage(out, null);
            }
        }
    }

    static List<AuditEntry> since(Connection c, Instant since, int limit) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT json FROM audit ORDER BY seq")) {
            ps.setFetchSize(CHUNK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    AuditEntry e = StoreJson.read(rs.getString(1), AuditEntry.class);
                    if (since == null || !e.at().isBefore(since)) {
                        out.add(e);
                    }
                }
            }
        }
        return out;
    }
}
