package dev.airlock.analysis.queue;

import dev.airlock.model.PackageCoordinate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code analysis_results} and {@code analysis_baselines} tables. */
final class ResultRows {
    private ResultRows() {
    }

    static boolean exists(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM analysis_results WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String read(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT json FROM analysis_results WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Stores a result; false when one was stored already (another node finished the same job). */
    static boolean insert(Connection c, String key, PackageCoordinate coordinate, String json, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_results (key, coordinate, json, analysed_by) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING")) {
            ps.setString(1, key);
            ps.setString(2, coordinate.toString());
            ps.setString(3, json);
            ps.setString(4, node);
            return ps.executeUpdate() == 1;
        }
    }

    /** Every result of a version by job key, the whole-version one first. */
    static Map<String, String> ofVersion(Connection c, PackageCoordinate coordinate) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT key, json FROM analysis_results WHERE coordinate = ? "
                + "ORDER BY key COLLATE \"C\"")) {
            ps.setString(1, coordinate.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    static void deleteVersion(Connection c, PackageCoordinate coordinate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM analysis_results WHERE coordinate = ?")) {
            ps.setString(1, coordinate.toString());
            ps.executeUpdate();
        }
    }

    /** {@code [latest, allowed]} job keys of a package's file kind, either null. */
    static String[] baseline(Connection c, String kindKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT latest, allowed FROM analysis_baselines WHERE kind_key = ?")) {
            ps.setString(1, kindKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : new String[2];
            }
        }
    }

    static void recordBaseline(Connection c, String kindKey, String latest, boolean clean) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_baselines (kind_key, latest, allowed) "
                + "VALUES (?, ?, ?) ON CONFLICT (kind_key) DO UPDATE SET latest = EXCLUDED.latest, "
                + "allowed = coalesce(EXCLUDED.allowed, analysis_baselines.allowed)")) {
            ps.setString(1, kindKey);
            ps.setString(2, latest);
            ps.setString(3, clean ? latest : null);
            ps.executeUpdate();
        }
    }

    /** How many analyses of the job were started, on any node. */
    static int runs(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM analysis_runs WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
