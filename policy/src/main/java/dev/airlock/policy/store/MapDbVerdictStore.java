package dev.airlock.policy.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verdicts, overrides, the audit log, the downloads log and imported feed records in one MapDB
 * file with a write-ahead log. Every logical write that must not be lost (an override with its
 * audit line, an analysis verdict, a feed import) is one transaction committed before the call
 * returns. First sightings and download records come from the serving path and would cost an
 * fsync each: they are applied at once and committed by a group commit a fraction of a second
 * later, so a kill -9 can lose only the last moment of those, never a committed write, and the
 * WAL keeps the file readable. A nearly full disk refuses writes before MapDB starts them
 * ({@link StoreFullException}); a failure inside MapDB fences the file until it reopens itself at
 * its last good commit ({@link StoreFencedException}, {@link MapDbHandle}).
 */
public final class MapDbVerdictStore implements VerdictStore {
    /** Counts every change that can alter a decision, so readers can reuse work done at the same count. */
    private final AtomicLong generation = new AtomicLong();
    private static final Logger LOG = LoggerFactory.getLogger(MapDbVerdictStore.class);

    private final MapDbHandle handle;
    private final MapDbWrites writes;
    private volatile Consumer<Verdict> verdictListener = v -> { };
    private final Cache<PackageCoordinate, Verdict> cache = Caffeine.newBuilder().maximumSize(200_000).build();

    private MapDbVerdictStore(MapDbHandle handle, DiskRoom room) {
        this.handle = handle;
        this.writes = new MapDbWrites(handle, room, () -> {
            cache.invalidateAll();
            // A reopen can bring back older values than readers may have reused: their work is stale.
            generation.incrementAndGet();
        });
    }

    /** Opens (or creates) {@code <dataDir>/policy.db}. Refuses a file of an unknown schema version. */
    public static MapDbVerdictStore open(Path dataDir) {
        return open(dataDir, null);
    }

    /** With a given disk reserve in bytes (tests: 0 lets a full disk reach MapDB); null: {@link DiskRoom}'s. */
    static MapDbVerdictStore open(Path dataDir, Long reserve) {
        MapDbHandle handle = MapDbHandle.open(dataDir);
        try {
            Path file = handle.file();
            return new MapDbVerdictStore(handle, reserve == null ? new DiskRoom(file) : new DiskRoom(file, reserve));
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /** The tables of the open handle: taken once per call, as a reopen swaps them. */
    private MapDbHandle.Tables t() {
        return handle.tables();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public Path file() {
        return handle.file();
    }

    @Override
    public void touch() {
        generation.incrementAndGet();
    }

    // ---- verdicts

    @Override
    public Optional<Verdict> verdict(PackageCoordinate c) {
        Verdict v = cache.getIfPresent(c);
        if (v != null) {
            return Optional.of(v);
        }
        v = writes.pending.get(c);
        if (v != null) {
            return Optional.of(v);
        }
        String json = t().verdicts().get(c.toString());
        if (json == null) {
            return Optional.empty();
        }
        v = StoreJson.read(json, Verdict.class);
        cache.put(c, v);
        return Optional.of(v);
    }

    @Override
    public void putVerdict(Verdict v) {
        generation.incrementAndGet();
        transaction(() -> putVerdictNoCommit(v));
    }

    @Override
    public Verdict updateVerdict(PackageCoordinate c, Function<Optional<Verdict>, Verdict> change) {
        // One process writes this file: the caller's per-version lock already orders the updates.
        Verdict v = change.apply(verdict(c));
        if (v != null) {
            putVerdict(v);
        }
        return v;
    }

    @Override
    public Verdict updateVerdictSoon(PackageCoordinate c, Function<Optional<Verdict>, Verdict> change) {
        Verdict v = change.apply(verdict(c));
        if (v != null) {
            putVerdictSoon(v);
        }
        return v;
    }

    @Override
    public void putVerdicts(Collection<Verdict> vs) {
        generation.incrementAndGet();
        if (!vs.isEmpty()) {
            transaction(() -> vs.forEach(this::putVerdictNoCommit));
        }
    }

    /** The caller never waits for MapDB: readers see the value at once through the cache and the pending map. */
    @Override
    public void putVerdictSoon(Verdict v) {
        generation.incrementAndGet();
        writes.ensureOpen();
        cache.put(v.coordinate(), v);
        writes.pending.put(v.coordinate(), v);
        notifyWritten(v);
    }

    /** Called on the writer's thread: the listener must be quick; a failure is logged and never fails the write. */
    @Override
    public void onVerdictWritten(Consumer<Verdict> listener) {
        this.verdictListener = listener == null ? v -> { } : listener;
    }

    private void notifyWritten(Verdict v) {
        try {
            verdictListener.accept(v);
        } catch (RuntimeException e) {
            LOG.warn("verdict listener failed on {} (ignored)", v.coordinate(), e);
        }
    }

    private void putVerdictNoCommit(Verdict v) {
        // A direct write supersedes any older value still waiting for the group commit.
        writes.pending.remove(v.coordinate());
        t().verdicts().put(v.coordinate().toString(), StoreJson.write(v));
        cache.put(v.coordinate(), v);
        notifyWritten(v);
    }

    @Override
    public List<Verdict> verdicts(PackageId id) {
        writes.drain();
        String prefix = id + "@";
        List<Verdict> out = new ArrayList<>();
        for (String json : t().verdicts().subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            out.add(StoreJson.read(json, Verdict.class));
        }
        return out;
    }

    @Override
    public void forEachVerdict(Consumer<Verdict> visitor) {
        writes.drain();
        for (String json : t().verdicts().values()) {
            visitor.accept(StoreJson.read(json, Verdict.class));
        }
    }

    @Override
    public long verdictCount() {
        writes.drain();
        return t().verdicts().sizeLong();
    }

    // ---- overrides and break-glass exemptions

    @Override
    public Optional<AdminOverride> override(String target) {
        String json = t().overrides().get(target);
        return json == null ? Optional.empty() : Optional.of(StoreJson.read(json, AdminOverride.class));
    }

    @Override
    public List<AdminOverride> overrides() {
        List<AdminOverride> out = new ArrayList<>();
        for (String json : t().overrides().values()) {
            out.add(StoreJson.read(json, AdminOverride.class));
        }
        return out;
    }

    @Override
    public AuditEntry changeOverride(String target, AdminOverride o, AuditEntry auditLine) {
        return changeOverrides(Collections.singletonMap(target, o), List.of(auditLine)).get(0);
    }

    @Override
    public List<AuditEntry> changeOverrides(Map<String, AdminOverride> changes, List<AuditEntry> auditLines) {
        generation.incrementAndGet();
        List<AuditEntry> written = new ArrayList<>();
        transaction(() -> {
            written.clear();
            for (Map.Entry<String, AdminOverride> e : changes.entrySet()) {
                if (e.getValue() == null) {
                    t().overrides().remove(e.getKey());
                } else {
                    t().overrides().put(e.getKey(), StoreJson.write(e.getValue()));
                }
            }
            for (AuditEntry line : auditLines) {
                written.add(t().logs().appendAudit(line));
            }
        });
        return written;
    }

    @Override
    public List<String> holdExemptions() {
        return new ArrayList<>(t().holdExemptions().values());
    }

    @Override
    public AuditEntry changeHoldExemption(String target, String json, AuditEntry auditLine) {
        generation.incrementAndGet();
        AuditEntry[] written = new AuditEntry[1];
        transaction(() -> {
            if (json == null) {
                t().holdExemptions().remove(target);
            } else {
                t().holdExemptions().put(target, json);
            }
            written[0] = t().logs().appendAudit(auditLine);
        });
        return written[0];
    }

    // ---- logs and history: no decision depends on them, so cached decisions stay valid

    @Override
    public void appendAnalysisRecord(PackageCoordinate c, String json) {
        writes.write(() -> t().logs().putAnalysis(c, json));
    }

    @Override
    public List<String> analysisRecords(PackageCoordinate c) {
        return t().logs().analyses(c);
    }

    @Override
    public SortedMap<String, String> history(String from, String to) {
        return t().logs().history(from, to);
    }

    @Override
    public void changeHistory(Map<String, String> put, Collection<String> remove) {
        writes.write(() -> t().logs().changeHistory(put, remove));
    }

    @Override
    public AuditEntry appendAudit(AuditEntry e) {
        AuditEntry[] written = new AuditEntry[1];
        transaction(() -> written[0] = t().logs().appendAudit(e));
        return written[0];
    }

    @Override
    public List<AuditEntry> appendAudit(List<AuditEntry> lines) {
        return changeOverrides(Map.of(), lines);
    }

    @Override
    public AuditPage audit(AuditQuery q) {
        return t().logs().audit(q);
    }

    @Override
    public List<AuditEntry> audit(Instant since, int limit) {
        return t().logs().audit(since, limit);
    }

    /** Queued and written by the group commit; a kill -9 loses at most the last fraction of a second of these. */
    @Override
    public void recordDownload(PackageCoordinate c, DownloadRecord r) {
        writes.download(c, r);
    }

    @Override
    public List<DownloadRecord> downloads(PackageCoordinate c, int limit) {
        writes.drain();
        return t().logs().downloads(c, limit);
    }

    // ---- feed records (raw JSON of the normalised record, keyed by record id)

    @Override
    public Optional<String> feedRecord(String id) {
        return Optional.ofNullable(t().feed().get(id));
    }

    @Override
    public Map<String, String> feedRecords() {
        return Collections.unmodifiableMap(t().feed());
    }

    @Override
    public void changeFeedRecords(Map<String, String> put, Collection<String> remove, AuditEntry auditLine) {
        generation.incrementAndGet();
        transaction(() -> {
            t().feed().putAll(put);
            for (String id : remove) {
                t().feed().remove(id);
            }
            if (auditLine != null) {
                t().logs().appendAudit(auditLine);
            }
        });
    }

    // ---- transactions

    /** Runs the writes and commits them as one transaction; rolls back if they throw. */
    @Override
    public void transaction(Runnable w) {
        generation.incrementAndGet();
        writes.write(w);
    }

    /** For tests and shutdown: commits pending group writes now. */
    @Override
    public void flush() {
        writes.groupCommit();
    }

    @Override
    public void close() {
        writes.close();
    }
}
