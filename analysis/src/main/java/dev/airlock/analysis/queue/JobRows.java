package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The {@code analysis_jobs} table: one row per queued job. A node takes the next job with
 * {@code FOR UPDATE SKIP LOCKED} and leases it until {@code lease_until}, renewing the lease while
 * the analysis runs; a row whose lease ran out while still leased belonged to a node that died,
 * and the next node to take it counts a death.
 */
final class JobRows {
    private JobRows() {
    }

    /**
     * Queues jobs not already analysed; an existing job keeps the more urgent priority. A version
     * job is not queued again once the version has file jobs or results: several nodes sighting a
     * new version at once would otherwise list its files once each.
     */
    static void insert(Connection c, List<Job> jobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_jobs (key, coordinate, file_name, file_sha256, "
                + "file_uploaded, priority) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM analysis_results WHERE key = ?) AND (? IS NOT NULL OR NOT EXISTS "
                + "(SELECT 1 FROM analysis_results r WHERE r.coordinate = ? UNION ALL "
                + "SELECT 1 FROM analysis_jobs j WHERE j.coordinate = ? AND j.file_name IS NOT NULL)) "
                + "ON CONFLICT (key) DO UPDATE SET priority = LEAST(analysis_jobs.priority, EXCLUDED.priority)")) {
            for (Job j : jobs) {
                ArtifactFile f = j.file();
                ps.setString(1, j.key());
                ps.setString(2, j.coordinate().toString());
                ps.setString(3, f == null ? null : f.name());
                ps.setString(4, f == null ? null : f.sha256());
                ps.setTimestamp(5, f == null || f.uploadedAt() == null ? null : Timestamp.from(f.uploadedAt()));
                ps.setInt(6, j.priority().ordinal());
                ps.setString(7, j.key());
                ps.setString(8, f == null ? null : f.name());
                ps.setString(9, j.coordinate().toString());
                ps.setString(10, j.coordinate().toString());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Leases the most urgent job that is due and not leased by a live node; counts a death when
     * its last lease ran out unreleased; records the run. Null when nothing is due.
     */
    static Job claim(Connection c, String node, Duration lease) throws SQLException {
        Job job;
        try (PreparedStatement ps = c.prepareStatement("WITH next AS (SELECT key FROM analysis_jobs "
                + "WHERE not_before <= now() AND (lease_until IS NULL OR lease_until < now()) "
                + "ORDER BY priority, seq FOR UPDATE SKIP LOCKED LIMIT 1) "
                + "UPDATE analysis_jobs j SET deaths = j.deaths + CASE WHEN j.leased_by IS NULL THEN 0 ELSE 1 END, "
                + "leased_by = ?, lease_until = now() + make_interval(secs => ?) FROM next WHERE j.key = next.key "
                + "RETURNING j.key, j.coordinate, j.file_name, j.file_sha256, j.file_uploaded, j.priority, j.seq, j.deaths")) {
            ps.setString(1, node);
            ps.setDouble(2, lease.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                PackageCoordinate coordinate = PackageCoordinate.parse(rs.getString(2));
                String fileName = rs.getString(3);
                Timestamp uploaded = rs.getTimestamp(5);
                ArtifactFile file = fileName == null ? null
                        : ArtifactFile.of(fileName, rs.getString(4), uploaded == null ? null : uploaded.toInstant());
                job = new Job(coordinate, file, AnalysisPriority.values()[rs.getInt(6)], rs.getLong(7), rs.getInt(8));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_runs (key, node_id) VALUES (?, ?)")) {
            ps.setString(1, job.key());
            ps.setString(2, node);
            ps.executeUpdate();
        }
        return job;
    }

    /** Renews this node's leases on the jobs; returns how many it still holds. */
    static int renew(Connection c, String node, Collection<String> keys, Duration lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE analysis_jobs SET lease_until = now() + make_interval(secs => ?) "
                + "WHERE leased_by = ? AND key = ANY (?)")) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setString(2, node);
            ps.setArray(3, c.createArrayOf("text", keys.toArray()));
            return ps.executeUpdate();
        }
    }

    /** Deletes the job if this node still holds its lease; false when another node has taken it over. */
    static boolean deleteHeld(Connection c, String key, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM analysis_jobs WHERE key = ? AND leased_by = ?")) {
            ps.setString(1, key);
            ps.setString(2, node);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes a job whatever leases it (its result exists already). */
    static void delete(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM analysis_jobs WHERE key = ?")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }

    /**
     * Lets go of a held job: it is due again after {@code delay}. {@code failure} (null: none, a
     * clean stop) is kept for the version page of every node.
     */
    static void release(Connection c, String key, String node, Duration delay, String failure) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE analysis_jobs SET leased_by = NULL, lease_until = NULL, "
                + "not_before = now() + make_interval(secs => ?), attempts = attempts + ?, "
                + "last_failure = coalesce(?, last_failure) WHERE key = ? AND leased_by = ?")) {
            ps.setDouble(1, delay.toMillis() / 1000.0);
            ps.setInt(2, failure == null ? 0 : 1);
            ps.setString(3, failure);
            ps.setString(4, key);
            ps.setString(5, node);
            ps.executeUpdate();
        }
    }

    /** A clean stop: every job this node holds is free at once, and no death is counted. */
    static void releaseAll(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE analysis_jobs SET leased_by = NULL, lease_until = NULL "
                + "WHERE leased_by = ?")) {
            ps.setString(1, node);
            ps.executeUpdate();
        }
    }

    static int count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM analysis_jobs"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The kept failure ({@code cause TAB detail}) and attempts of the version's jobs that wait to run again. */
    static String[] lastFailure(Connection c, PackageCoordinate coordinate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key, last_failure, attempts FROM analysis_jobs "
                + "WHERE coordinate = ? AND last_failure IS NOT NULL ORDER BY attempts DESC LIMIT 1")) {
            ps.setString(1, coordinate.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))} : null;
            }
        }
    }
}
