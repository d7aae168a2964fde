package dev.airlock.policy.store;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.DownloadRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;

/**
 * The append-only parts of the embedded file: the audit log, the downloads log, every analysis of
 * a version, and the overview's history. Writes here do not commit: the store's transaction does.
 */
final class MapDbLogs {
    private final BTreeMap<Long, String> audit;
    private final Atomic.Long auditSeq;
    private final BTreeMap<String, String> downloads;
    private final Atomic.Long downloadSeq;
    /** Every analysis a version had, keyed {@code coordinate NUL sequence}: what re-analysis replaced stays readable. */
    private final BTreeMap<String, String> analysisLog;
    private final Atomic.Long analysisLogSeq;
    /** Downsampled counters and gauges for the overview, keyed by resolution and bucket start (epoch seconds). */
    private final BTreeMap<String, String> history;

    MapDbLogs(DB db) {
        this.audit = db.treeMap("audit", Serializer.LONG, Serializer.STRING).createOrOpen();
        this.auditSeq = db.atomicLong("auditSeq").createOrOpen();
        this.downloads = db.treeMap("downloads", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.downloadSeq = db.atomicLong("downloadSeq").createOrOpen();
        this.analysisLog = db.treeMap("analysisLog", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        this.analysisLogSeq = db.atomicLong("analysisLogSeq").createOrOpen();
        this.history = db.treeMap("history", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
    }

    // ---- audit

    /** Appends a line with the next sequence number and returns it as written. */
    AuditEntry appendAudit(AuditEntry e) {
        long seq = auditSeq.incrementAndGet();
        AuditEntry w = new AuditEntry(seq, e.at(), e.who(), e.action(), e.target(), e.previousState(), e.newState(), e.reason());
        audit.put(seq, StoreJson.write(w));
        return w;
    }

    /**
     * One page, newest first. Walks the keys downwards from the cursor, so the newest lines cost
     * the same to read however long the log grows; a filter that matches little may scan far back.
     */
    AuditPage audit(AuditQuery q) {
        NavigableMap<Long, String> older = q.before() == null
                ? audit.descendingMap()
                : audit.headMap(q.before(), false).descendingMap();
        List<AuditEntry> out = new ArrayList<>();
        for (String json : older.values()) {
            AuditEntry e = StoreJson.read(json, AuditEntry.class);
            if (!q.matches(e)) {
                continue;
            }
            if (out.size() == q.limit()) {
                // One more match exists: the page is full and the next one starts below its last line.
                return new AuditPage(out, out.get(out.size() - 1).seq());
            }
            out.add(e);
        }
        return new AuditPage(out, null);
    }

    List<AuditEntry> audit(Instant since, int limit) {
        List<AuditEntry> out = new ArrayList<>();
        for (String json : audit.values()) {
            AuditEntry e = StoreJson.read(json, AuditEntry.class);
            if (since == null || !e.at().isBefore(since)) {
                out.add(e);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    // ---- downloads

    void putDownload(PackageCoordinate c, DownloadRecord r) {
        downloads.put(c + "\u0000" + String.format("%016x", downloadSeq.incrementAndGet()), StoreJson.write(r));
    }

    List<DownloadRecord> downloads(PackageCoordinate c, int limit) {
        String prefix = c + "\u0000";
        List<DownloadRecord> out = new ArrayList<>();
        for (String json : downloads.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            out.add(StoreJson.read(json, DownloadRecord.class));
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    // ---- analyses and history

    void putAnalysis(PackageCoordinate c, String json) {
        analysisLog.put(c + "\u0000" + String.format("%016x", analysisLogSeq.incrementAndGet()), json);
    }

    List<String> analyses(PackageCoordinate c) {
        String prefix = c + "\u0000";
        return new ArrayList<>(analysisLog.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values());
    }

    SortedMap<String, String> history(String from, String to) {
        return new TreeMap<>(history.subMap(from, true, to, false));
    }

    void changeHistory(Map<String, String> put, Collection<String> remove) {
        history.putAll(put);
        for (String k : remove) {
            history.remove(k);
        }
    }
}
