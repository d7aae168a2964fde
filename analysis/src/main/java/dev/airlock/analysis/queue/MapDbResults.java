package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.FileResultListener;
import dev.airlock.common.Json;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded queue's stored results, by job key ({@code version} or {@code version|file}), and
 * the whole-version results of releases before per-file analysis. Writes do not commit: the
 * queue's transaction does.
 */
final class MapDbResults {
    private static final Logger LOG = LoggerFactory.getLogger(MapDbResults.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private final BTreeMap<String, String> results;
    private final HTreeMap<String, String> legacy;

    MapDbResults(DB db) {
        this.results = db.treeMap("fileResults", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        this.legacy = db.hashMap("results", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    boolean has(String key) {
        return results.containsKey(key);
    }

    boolean hasLegacy(String key) {
        return legacy.containsKey(key);
    }

    void put(String key, String json) {
        results.put(key, json);
    }

    /** The result stored under a job key (a legacy whole-version one too), or null. */
    AnalysisResult read(String key) {
        return read(results.containsKey(key) ? results.get(key) : legacy.get(key), key);
    }

    /** Drops every result of the version (re-analysis). */
    void removeVersion(PackageCoordinate c) {
        String prefix = c + Job.SEPARATOR;
        results.remove(c.toString());
        results.subMap(prefix, true, prefix + Character.MAX_VALUE, false).clear();
        legacy.remove(c.toString());
    }

    /** The stored result of a version (its first analysed file), or null. */
    AnalysisResult result(PackageCoordinate c) {
        Map<String, AnalysisResult> all = results(c);
        if (!all.isEmpty()) {
            return all.values().iterator().next();
        }
        return read(legacy.get(c.toString()), c.toString());
    }

    /** Every stored file analysis of a version, by file name (the whole-version analysis under "" when there was one). */
    Map<String, AnalysisResult> results(PackageCoordinate c) {
        Map<String, AnalysisResult> out = new LinkedHashMap<>();
        String prefix = c + Job.SEPARATOR;
        AnalysisResult whole = read(results.get(c.toString()), c.toString());
        if (whole != null) {
            out.put("", whole);
        }
        for (Map.Entry<String, String> e : results.subMap(prefix, true, prefix + Character.MAX_VALUE, false).entrySet()) {
            AnalysisResult r = read(e.getValue(), e.getKey());
            if (r != null) {
                out.put(e.getKey().substring(prefix.length()), r);
            }
        }
        return out;
    }

    /** Hands every stored result that {@code needed} says its consumer lacks to {@code target}; returns how many. */
    int replay(BiPredicate<PackageCoordinate, ArtifactFile> needed, FileResultListener target) {
        int replayed = 0;
        for (Map.Entry<String, String> e : results.entrySet()) {
            String key = e.getKey();
            int sep = key.indexOf(Job.SEPARATOR);
            PackageCoordinate c;
            AnalysisResult r;
            ArtifactFile file;
            try {
                c = Job.coordinateOf(key);
                r = read(e.getValue(), key);
                file = sep < 0 || r == null ? null : ArtifactFile.of(key.substring(sep + 1), r.sha256(), null);
            } catch (RuntimeException ex) {
                LOG.warn("skipping unreadable stored result {}: {}", key, ex.toString());
                continue;
            }
            if (r != null && needed.test(c, file)) {
                target.accept(c, file, r);
                replayed++;
            }
        }
        return replayed;
    }

    private static AnalysisResult read(String json, String key) {
        try {
            return json == null ? null : JSON.readValue(json, AnalysisResult.class);
        } catch (IOException e) {
            LOG.warn("unreadable stored result for {}: {}", key, e.toString());
            return null;
        }
    }
}
