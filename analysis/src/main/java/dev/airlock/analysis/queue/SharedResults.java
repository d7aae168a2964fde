package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.InfrastructureFailure;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sql.Database;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the admin API reads from the shared queue: a version's results by file, a waiting job's kept failure. */
final class SharedResults {
    private SharedResults() {
    }

    /** Every stored file analysis of a version, by file name (the whole-version analysis under ""). */
    static Map<String, AnalysisResult> of(Database db, PackageCoordinate c) {
        Map<String, String> rows = db.transaction(conn -> ResultRows.ofVersion(conn, c));
        Map<String, AnalysisResult> out = new LinkedHashMap<>();
        String whole = c.toString();
        String prefix = whole + Job.SEPARATOR;
        if (rows.containsKey(whole)) {
            AnalysisResult r = PostgresAnalysisQueue.read(rows.get(whole), whole);
            if (r != null) {
                out.put("", r);
            }
        }
        rows.forEach((key, json) -> {
            if (key.startsWith(prefix)) {
                AnalysisResult r = PostgresAnalysisQueue.read(json, key);
                if (r != null) {
                    out.put(key.substring(prefix.length()), r);
                }
            }
        });
        return out;
    }

    /** The failure ({@code cause TAB detail}) another node kept on a job of the version that waits to run again. */
    static Optional<InfrastructureFailure> lastFailure(Database db, PackageCoordinate c) {
        String[] row = db.transaction(conn -> JobRows.lastFailure(conn, c));
        if (row == null) {
            return Optional.empty();
        }
        int tab = row[1].indexOf('\t');
        return Optional.of(new InfrastructureFailure(Instant.now(), row[0], tab < 0 ? row[1] : row[1].substring(0, tab),
                tab < 0 ? "" : row[1].substring(tab + 1), Integer.parseInt(row[2])));
    }
}
