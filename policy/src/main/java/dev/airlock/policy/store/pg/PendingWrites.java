package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.Verdict;
import dev.airlock.sql.Database;
import dev.airlock.sql.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the serving path hands over without waiting: first sightings (conditional on the row not
 * having moved on, so a sighting never overwrites a newer verdict another node wrote) and download
 * records. Written by {@link #flush()} in one transaction, a few times a second; while the
 * database is away they wait here and are written once it answers.
 */
final class PendingWrites {
    private static final Logger LOG = LoggerFactory.getLogger(PendingWrites.class);
    private static final int MAX_DOWNLOADS_WAITING = 100_000;

    /** A sighting and the revision of the row it was worked out from (0: none). */
    record Sighting(Verdict verdict, long baseRev) {
    }

    /** What a flush wrote or found moved on, for the store to apply to its mirror. */
    interface Outcome {
        void written(Sighting s, long rev);

        void movedOn(PackageCoordinate c);
    }

    private final Map<PackageCoordinate, Sighting> sightings = new ConcurrentHashMap<>();
    private final Queue<Map.Entry<PackageCoordinate, DownloadRecord>> downloads = new ConcurrentLinkedQueue<>();
    private final Database db;
    private final String nodeId;
    private volatile boolean warned;

    PendingWrites(Database db) {
        this.db = db;
        this.nodeId = db.nodeId();
    }

    void sighting(Verdict v, long baseRev) {
        sightings.merge(v.coordinate(), new Sighting(v, baseRev),
                // A newer sighting of the same version keeps the base of the one it follows: that row is what it saw.
                (old, now) -> new Sighting(now.verdict(), old.baseRev()));
    }

    Sighting sighting(PackageCoordinate c) {
        return sightings.get(c);
    }

    /** A direct write of the version supersedes a waiting sighting. */
    void superseded(PackageCoordinate c) {
        sightings.remove(c);
    }

    void download(PackageCoordinate c, DownloadRecord r) {
        if (downloads.size() >= MAX_DOWNLOADS_WAITING) {
            // A side path: with the database away for long, the oldest records go rather than the heap.
            downloads.poll();
        }
        downloads.add(Map.entry(c, r));
    }

    boolean isEmpty() {
        return sightings.isEmpty() && downloads.isEmpty();
    }

    /** Writes what waits in one transaction; on failure it all stays for the next round. */
    synchronized void flush(Outcome outcome) {
        if (isEmpty()) {
            return;
        }
        List<Sighting> taken = new ArrayList<>();
        for (Map.Entry<PackageCoordinate, Sighting> e : sightings.entrySet()) {
            if (sightings.remove(e.getKey(), e.getValue())) {
                taken.add(e.getValue());
            }
        }
        List<Map.Entry<PackageCoordinate, DownloadRecord>> batch = new ArrayList<>();
        for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = downloads.poll()) != null; ) {
            batch.add(d);
        }
        long[] revs = new long[taken.size()];
        try {
            db.transaction(c -> {
                for (int i = 0; i < taken.size(); i++) {
                    Sighting s = taken.get(i);
                    revs[i] = VerdictRows.writeIfAt(c, s.verdict(), s.baseRev());
                    if (revs[i] > 0) {
                        Database.notify(c, PolicyChannel.NAME, PolicyChannel.verdict(nodeId, s.verdict().coordinate()));
                    }
                }
                if (!batch.isEmpty()) {
                    LogRows.appendDownloads(c, batch);
                }
                return null;
            });
            warned = false;
        } catch (StoreUnavailableException e) {
            for (Sighting s : taken) {
                sightings.putIfAbsent(s.verdict().coordinate(), s);
            }
            downloads.addAll(batch);
            if (!warned) {
                warned = true;
                LOG.warn("shared store: {} sighting(s) and {} download record(s) wait for the database: {}", taken.size(),
                        batch.size(), e.getMessage());
            }
            return;
        }
        for (int i = 0; i < taken.size(); i++) {
            Sighting s = taken.get(i);
            if (revs[i] > 0) {
                long rev = revs[i];
                // A newer sighting taken meanwhile was worked out from this one: it is based on the row just written.
                sightings.computeIfPresent(s.verdict().coordinate(), (k, q) -> new Sighting(q.verdict(), rev));
                outcome.written(s, rev);
            } else {
                outcome.movedOn(s.verdict().coordinate());
            }
        }
    }
}
