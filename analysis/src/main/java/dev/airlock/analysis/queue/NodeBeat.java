package dev.airlock.analysis.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The {@code nodes} table: every node says every few seconds what it is and whether it analyses
 * with a sandbox, so a proxy without a container engine can tell whether new versions will be
 * analysed anywhere at all.
 */
final class NodeBeat {
    private NodeBeat() {
    }

    static void beat(Connection c, String node, String role, boolean analysing, boolean sandbox) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (node_id, role, analysing, sandbox, seen) "
                + "VALUES (?, ?, ?, ?, now()) ON CONFLICT (node_id) DO UPDATE SET role = EXCLUDED.role, "
                + "analysing = EXCLUDED.analysing, sandbox = EXCLUDED.sandbox, seen = now()")) {
            ps.setString(1, node);
            ps.setString(2, role);
            ps.setBoolean(3, analysing);
            ps.setBoolean(4, sandbox);
            ps.executeUpdate();
        }
    }

    /** Whether a node seen within {@code recent} analyses (with a sandbox, when one is required). */
    static boolean anyAnalysing(Connection c, boolean requireSandbox, Duration recent) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM nodes WHERE analysing "
                + "AND (sandbox OR NOT ?) AND seen > now() - make_interval(secs => ?))")) {
            ps.setBoolean(1, requireSandbox);
            ps.setDouble(2, recent.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** A clean stop: this node no longer counts. */
    static void leave(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM nodes WHERE node_id = ?")) {
            ps.setString(1, node);
            ps.executeUpdate();
        }
    }
}
