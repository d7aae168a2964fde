package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.store.StoreJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The append-only logs (downloads, analyses) and the overview's history buckets. */
final class LogRows {
    private LogRows() {
    }

    static void appendDownloads(Connection c, List<Map.Entry<PackageCoordinate, DownloadRecord>> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO downloads (coordinate, json) VALUES (?, ?)")) {
            for (Map.Entry<PackageCoordinate, DownloadRecord> d : batch) {
                ps.setString(1, d.getKey().toString());
                ps.setString(2, StoreJson.write(d.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static List<DownloadRecord> downloads(Connection c, PackageCoordinate coordinate, int limit) throws SQLException {
        List<DownloadRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT json FROM downloads WHERE coordinate = ? ORDER BY id LIMIT ?")) {
            ps.setString(1, coordinate.toString());
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(StoreJson.read(rs.getString(1), DownloadRecord.class));
                }
            }
        }
        return out;
    }

    static void appendAnalysis(Connection c, PackageCoordinate coordinate, String json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_log (coordinate, json) VALUES (?, ?)")) {
            ps.setString(1, coordinate.toString());
            ps.setString(2, json);
            ps.executeUpdate();
        }
    }

    static List<String> analyses(Connection c, PackageCoordinate coordinate) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT json FROM analysis_log WHERE coordinate = ? ORDER BY id")) {
            ps.setString(1, coordinate.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Keys in {@code [from, to)}. PostgreSQL text holds no NUL, and keys never contain one: a bound
     * ending in a NUL character (the embedded store's "just after k") is read as "up to and including k".
     */
    static SortedMap<String, String> history(Connection c, String from, String to) throws SQLException {
        SortedMap<String, String> out = new TreeMap<>();
        int nul = to.indexOf('\u0000');
        String upper = nul < 0 ? to : to.substring(0, nul);
        try (PreparedStatement ps = c.prepareStatement("SELECT key, json FROM history WHERE key >= ? AND key "
                + (nul < 0 ? "<" : "<=") + " ?")) {
            ps.setString(1, from.replace("\u0000", ""));
            ps.setString(2, upper);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    static void changeHistory(Connection c, Map<String, String> put, Collection<String> remove) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO history (key, json) VALUES (?, ?) "
                + "ON CONFLICT (key) DO UPDATE SET json = EXCLUDED.json")) {
            for (Map.Entry<String, String> e : put.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM history WHERE key = ?")) {
            for (String k : remove) {
                ps.setString(1, k);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
