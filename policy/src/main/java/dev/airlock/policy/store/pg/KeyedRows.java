package dev.airlock.policy.store.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A small table of JSON values by key that every node keeps whole in memory: overrides,
 * break-glass exemptions, feed records. Small enough to be re-read whole by the reconcile.
 */
final class KeyedRows {
    private final String table;
    private final String keyColumn;

    KeyedRows(String table, String keyColumn) {
        this.table = table;
        this.keyColumn = keyColumn;
    }

    Map<String, String> readAll(Connection c) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + keyColumn + ", json FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    Optional<String> read(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT json FROM " + table + " WHERE " + keyColumn + " = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Sets ({@code json}) or removes ({@code null}) the value of a key. */
    void put(Connection c, String key, String json) throws SQLException {
        if (json == null) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + keyColumn + " = ?")) {
                ps.setString(1, key);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + keyColumn + ", json, rev) VALUES "
                + "(?, ?, nextval('airlock_rev')) ON CONFLICT (" + keyColumn + ") DO UPDATE SET json = EXCLUDED.json, "
                + "rev = EXCLUDED.rev")) {
            ps.setString(1, key);
            ps.setString(2, json);
            ps.executeUpdate();
        }
    }
}
