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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verdicts, overrides, the audit log, the downloads log and imported feed records in one MapDB
 * file with a write-ahead log. Every logical write that must not be lost (an override with its
 * audit line, an analysis verdict, a feed import) is one transaction committed before the call
 * returns. First sightings and download records come from the serving path and would cost an
 * fsync each: they are applied at once and committed by a group commit a fraction of a second
 * later, so a kill -9 can lose only the last moment of those, never a committed write, and the
 * WAL keeps the file readable.
 */
public final class MapDbVerdictStore implements VerdictStore {
    /** Counts every change that can alter a decision, so readers can reuse work done at the same count. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    private static final Logger LOG = LoggerFactory.getLogger(MapDbVerdictStore.class);
    private static final String SCHEMA_KEY = "schemaVersion";
    private static final long GROUP_COMMIT_MS = 200;

    private final Path file;
    private final DB db;
    private final Map<String, String> meta;
    private final BTreeMap<String, String> verdicts;
    private final BTreeMap<String, String> overrides;
    private final BTreeMap<Long, String> audit;
    private final Atomic.Long auditSeq;
    private final BTreeMap<String, String> downloads;
    private final Atomic.Long downloadSeq;
    private final BTreeMap<String, String> feed;
    private final BTreeMap<String, String> holdExemptions;
    /** Every analysis a version had, keyed {@code coordinate NUL sequence}: what re-analysis replaced stays readable. */
    private final BTreeMap<String, String> analysisLog;
    private final Atomic.Long analysisLogSeq;
    /** Downsampled counters and gauges for the overview, keyed by resolution and bucket start (epoch seconds). */
    private final BTreeMap<String, String> history;
    private volatile Consumer<Verdict> verdictListener = v -> { };
    private final Cache<PackageCoordinate, Verdict> cache = Caffeine.newBuilder().maximumSize(200_000).build();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Map<PackageCoordinate, Verdict> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Queue<Map.Entry<PackageCoordinate, DownloadRecord>> pendingDownloads =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService committer;
    private volatile boolean dirty;
    private volatile boolean closed;

    private MapDbVerdictStore(Path file, DB db) {
        this.file = file;
        this.db = db;
        boolean fresh = db.getAllNames().iterator().hasNext() == false;
        HTreeMap<String, String> m = db.hashMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.meta = m;
        checkSchema(fresh);
        this.verdicts = db.treeMap("verdicts", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        this.overrides = db.treeMap("overrides", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        this.audit = db.treeMap("audit", Serializer.LONG, Serializer.STRING).createOrOpen();
        this.auditSeq = db.atomicLong("auditSeq").createOrOpen();
        this.downloads = db.treeMap("downloads", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.downloadSeq = db.atomicLong("downloadSeq").createOrOpen();
        this.feed = db.treeMap("feed", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        // Added without a schema bump: an older store simply has none yet.
        this.holdExemptions = db.treeMap("holdExemptions", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.analysisLog = db.treeMap("analysisLog", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        this.analysisLogSeq = db.atomicLong("analysisLogSeq").createOrOpen();
        this.history = db.treeMap("history", Serializer.STRING, Serializer.STRING).valuesOutsideNodesEnable().createOrOpen();
        db.commit();
        this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verdict-store-commit");
            t.setDaemon(true);
            return t;
        });
        committer.scheduleWithFixedDelay(this::groupCommit, GROUP_COMMIT_MS, GROUP_COMMIT_MS, TimeUnit.MILLISECONDS);
    }

    /** Opens (or creates) {@code <dataDir>/policy.db}. Refuses a file of an unknown schema version. */
    public static MapDbVerdictStore open(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
        }
        Path f = dataDir.resolve(FILE_NAME);
        DB db;
        try {
            db = DBMaker.fileDB(f.toFile())
                    .transactionEnable()
                    .fileMmapEnableIfSupported()
                    .fileMmapPreclearDisable()
                    .make();
        } catch (org.mapdb.DBException.FileLocked e) {
            throw new IllegalStateException("policy store " + f + " is locked: is another Airlock using the data dir "
                    + dataDir + "?", e);
        } catch (RuntimeException e) {
            throw new StoreSchemaException("policy store " + f + " cannot be opened (" + e + "): it is not a MapDB "
                    + "file written by Airlock or it is damaged; restore a backup or move it away to start empty");
        }
        try {
            return new MapDbVerdictStore(f, db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private void checkSchema(boolean fresh) {
        String v = meta.get(SCHEMA_KEY);
        if (v == null) {
            if (!fresh) {
                throw new StoreSchemaException("policy store " + file + " has no schema version record: it was not "
                        + "written by Airlock or is damaged; refusing to read it (move it away to start empty)");
            }
            meta.put(SCHEMA_KEY, Integer.toString(SCHEMA_VERSION));
            db.commit();
            return;
        }
        int found;
        try {
            found = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new StoreSchemaException("policy store " + file + " has an unreadable schema version '" + v + "'");
        }
        if (found == SCHEMA_VERSION) {
            return;
        }
        if (found > SCHEMA_VERSION) {
            throw new StoreSchemaException("policy store " + file + " has schema version " + found
                    + " but this Airlock reads version " + SCHEMA_VERSION
                    + ": it was written by a newer Airlock; run that version or restore a backup");
        }
        migrate(found);
    }

    /** Upgrades an older schema in one transaction. Version 1 is the first: nothing older exists. */
    private void migrate(int from) {
        throw new StoreSchemaException("policy store " + file + " has schema version " + from
                + " and no migration to version " + SCHEMA_VERSION + " exists; restore a backup or move it away");
    }

    /** Changes so far; any verdict, override or feed change increments it. */
    public long generation() {
        return generation.get();
    }

    public Path file() {
        return file;
    }

    /** Something the decisions depend on changed outside the store (the sandbox came or went). */
    public void touch() {
        generation.incrementAndGet();
    }

    // ---- verdicts

    public Optional<Verdict> verdict(PackageCoordinate c) {
        Verdict v = cache.getIfPresent(c);
        if (v != null) {
            return Optional.of(v);
        }
        v = pending.get(c);
        if (v != null) {
            return Optional.of(v);
        }
        String json = verdicts.get(c.toString());
        if (json == null) {
            return Optional.empty();
        }
        v = StoreJson.read(json, Verdict.class);
        cache.put(c, v);
        return Optional.of(v);
    }

    /** Writes a verdict and commits before returning. */
    public void putVerdict(Verdict v) {
        generation.incrementAndGet();
        transaction(() -> putVerdictNoCommit(v));
    }

    @Override
    public Verdict updateVerdict(PackageCoordinate c, java.util.function.Function<Optional<Verdict>, Verdict> change) {
        // One process writes this file: the caller's per-version lock already orders the updates.
        Verdict v = change.apply(verdict(c));
        if (v != null) {
            putVerdict(v);
        }
        return v;
    }

    /** Writes verdicts in one transaction. */
    public void putVerdicts(java.util.Collection<Verdict> vs) {
        generation.incrementAndGet();
        if (!vs.isEmpty()) {
            transaction(() -> vs.forEach(this::putVerdictNoCommit));
        }
    }

    /**
     * Records a verdict for the next group commit (first sightings, re-evaluations). The caller
     * never waits for MapDB: readers see the value at once through the cache and the pending map.
     */
    public void putVerdictSoon(Verdict v) {
        generation.incrementAndGet();
        ensureOpen();
        cache.put(v.coordinate(), v);
        pending.put(v.coordinate(), v);
        notifyWritten(v);
    }

    /**
     * Told of every verdict written (the admin listing's in-memory index, the overview's
     * transition counters). Called on the writer's thread: it must be quick; a failure is logged
     * and never fails the write.
     */
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
        pending.remove(v.coordinate());
        verdicts.put(v.coordinate().toString(), StoreJson.write(v));
        cache.put(v.coordinate(), v);
        notifyWritten(v);
    }

    /** Every known version of a package, in key order. */
    public List<Verdict> verdicts(PackageId id) {
        drainPending();
        String prefix = id + "@";
        List<Verdict> out = new ArrayList<>();
        for (String json : verdicts.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            out.add(StoreJson.read(json, Verdict.class));
        }
        return out;
    }

    /** Visits every stored verdict (admin listings). */
    public void forEachVerdict(Consumer<Verdict> visitor) {
        drainPending();
        for (String json : verdicts.values()) {
            visitor.accept(StoreJson.read(json, Verdict.class));
        }
    }

    public long verdictCount() {
        drainPending();
        return verdicts.sizeLong();
    }

    // ---- overrides

    public Optional<AdminOverride> override(String target) {
        String json = overrides.get(target);
        return json == null ? Optional.empty() : Optional.of(StoreJson.read(json, AdminOverride.class));
    }

    public List<AdminOverride> overrides() {
        List<AdminOverride> out = new ArrayList<>();
        for (String json : overrides.values()) {
            out.add(StoreJson.read(json, AdminOverride.class));
        }
        return out;
    }

    /** Sets or removes ({@code o == null}) an override and appends its audit line in one transaction. */
    public AuditEntry changeOverride(String target, AdminOverride o, AuditEntry auditLine) {
        generation.incrementAndGet();
        AuditEntry[] written = new AuditEntry[1];
        transaction(() -> {
            if (o == null) {
                overrides.remove(target);
            } else {
                overrides.put(target, StoreJson.write(o));
            }
            written[0] = appendAuditNoCommit(auditLine);
        });
        return written[0];
    }

    // ---- break-glass exemptions from the outbreak hold (JSON of dev.airlock.policy.HoldExemption)

    public List<String> holdExemptions() {
        return new ArrayList<>(holdExemptions.values());
    }

    /** Sets or removes ({@code json == null}) an exemption and appends its audit line in one transaction. */
    public AuditEntry changeHoldExemption(String target, String json, AuditEntry auditLine) {
        generation.incrementAndGet();
        AuditEntry[] written = new AuditEntry[1];
        transaction(() -> {
            if (json == null) {
                holdExemptions.remove(target);
            } else {
                holdExemptions.put(target, json);
            }
            written[0] = appendAuditNoCommit(auditLine);
        });
        return written[0];
    }

    /** Sets or removes ({@code null} value) several overrides with one audit line each, in one transaction. */
    public List<AuditEntry> changeOverrides(Map<String, AdminOverride> changes, List<AuditEntry> auditLines) {
        generation.incrementAndGet();
        List<AuditEntry> written = new ArrayList<>();
        transaction(() -> {
            written.clear();
            for (Map.Entry<String, AdminOverride> e : changes.entrySet()) {
                if (e.getValue() == null) {
                    overrides.remove(e.getKey());
                } else {
                    overrides.put(e.getKey(), StoreJson.write(e.getValue()));
                }
            }
            for (AuditEntry line : auditLines) {
                written.add(appendAuditNoCommit(line));
            }
        });
        return written;
    }

    /** Appends audit lines in one transaction (a bulk action writes one per version it touched). */
    public List<AuditEntry> appendAudit(List<AuditEntry> lines) {
        return changeOverrides(Map.of(), lines);
    }

    // ---- analysis log

    /** Appends one analysis record (JSON) of a version and commits. */
    public void appendAnalysisRecord(PackageCoordinate c, String json) {
        write(() -> analysisLog.put(c + "\u0000" + String.format("%016x", analysisLogSeq.incrementAndGet()), json));
    }

    /** The version's analysis records, oldest first. */
    public List<String> analysisRecords(PackageCoordinate c) {
        String prefix = c + "\u0000";
        return new ArrayList<>(analysisLog.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values());
    }

    // ---- overview history

    /** The history buckets with keys in {@code [from, to)}, in key order. */
    public java.util.SortedMap<String, String> history(String from, String to) {
        return new java.util.TreeMap<>(history.subMap(from, true, to, false));
    }

    /** Writes and removes history buckets in one transaction. */
    public void changeHistory(Map<String, String> put, java.util.Collection<String> remove) {
        write(() -> {
            history.putAll(put);
            for (String k : remove) {
                history.remove(k);
            }
        });
    }

    // ---- audit

    /** Appends an audit line (its {@code seq} is assigned here) and commits. */
    public AuditEntry appendAudit(AuditEntry e) {
        AuditEntry[] written = new AuditEntry[1];
        transaction(() -> written[0] = appendAuditNoCommit(e));
        return written[0];
    }

    private AuditEntry appendAuditNoCommit(AuditEntry e) {
        long seq = auditSeq.incrementAndGet();
        AuditEntry w = new AuditEntry(seq, e.at(), e.who(), e.action(), e.target(), e.previousState(), e.newState(), e.reason());
        audit.put(seq, StoreJson.write(w));
        return w;
    }

    /**
     * One page of the audit log, newest first. Walks the keys downwards from the cursor, so the
     * newest lines cost the same to read however long the log grows; a filter that matches
     * little may scan far back, which is why callers run this off the event loop.
     */
    public AuditPage audit(AuditQuery q) {
        java.util.NavigableMap<Long, String> older = q.before() == null
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

    /**
     * Audit lines at or after {@code since} (null: all), oldest first, at most {@code limit}: for
     * reading the log in order of writing (tests, exports); listings use {@link #audit(AuditQuery)}.
     */
    public List<AuditEntry> audit(Instant since, int limit) {
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

    /**
     * Records one download. Queued and written by the group commit, so the serving path never
     * waits for MapDB; a kill -9 loses at most the last fraction of a second of these.
     */
    public void recordDownload(PackageCoordinate c, DownloadRecord r) {
        ensureOpen();
        pendingDownloads.add(Map.entry(c, r));
    }

    public List<DownloadRecord> downloads(PackageCoordinate c, int limit) {
        drainPending();
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

    // ---- feed records (raw JSON of the normalised record, keyed by record id)

    public Optional<String> feedRecord(String id) {
        return Optional.ofNullable(feed.get(id));
    }

    /** Read-only view of the stored feed records. */
    public Map<String, String> feedRecords() {
        return java.util.Collections.unmodifiableMap(feed);
    }

    /** Writes and removes feed records with their audit line in one transaction (an import is all or nothing). */
    public void changeFeedRecords(Map<String, String> put, java.util.Collection<String> remove, AuditEntry auditLine) {
        generation.incrementAndGet();
        transaction(() -> {
            feed.putAll(put);
            for (String id : remove) {
                feed.remove(id);
            }
            if (auditLine != null) {
                appendAuditNoCommit(auditLine);
            }
        });
    }

    // ---- transactions

    /** Runs the writes and commits them as one transaction; rolls back if they throw. */
    @Override
    public void transaction(Runnable writes) {
        generation.incrementAndGet();
        write(writes);
    }

    /** A transaction of writes no decision depends on (history, analysis log): cached decisions stay valid. */
    private void write(Runnable writes) {
        writeLock.lock();
        try {
            ensureOpen();
            if (writeLock.getHoldCount() > 1) {
                // Nested in an outer transaction: its commit or rollback covers these writes too.
                writes.run();
                return;
            }
            try {
                writes.run();
                db.commit();
                dirty = false;
            } catch (RuntimeException e) {
                db.rollback();
                // The rollback discards uncommitted group writes too: the cache must not outlive them.
                cache.invalidateAll();
                dirty = false;
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Moves the verdicts waiting for the group commit into MapDB (not yet committed). */
    private void drainPending() {
        if (pending.isEmpty() && pendingDownloads.isEmpty()) {
            return;
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                long seq = downloadSeq.incrementAndGet();
                downloads.put(d.getKey() + "\u0000" + String.format("%016x", seq), StoreJson.write(d.getValue()));
                dirty = true;
            }
            for (Map.Entry<PackageCoordinate, Verdict> e : pending.entrySet()) {
                Verdict v = e.getValue();
                verdicts.put(v.coordinate().toString(), StoreJson.write(v));
                // Only if unchanged meanwhile: a newer value stays pending for the next round.
                pending.remove(e.getKey(), v);
                dirty = true;
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void groupCommit() {
        try {
            drainPending();
        } catch (RuntimeException e) {
            LOG.warn("group write of {} failed", file, e);
        }
        if (!dirty || closed) {
            return;
        }
        writeLock.lock();
        try {
            if (dirty && !closed) {
                db.commit();
                dirty = false;
            }
        } catch (RuntimeException e) {
            LOG.warn("group commit of {} failed", file, e);
        } finally {
            writeLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("policy store " + file + " is closed");
        }
    }

    /** For tests and shutdown: commits pending group writes now. */
    public void flush() {
        groupCommit();
    }

    @Override
    public void close() {
        // Not shutdownNow: interrupting a thread inside MapDB closes its file channel for everyone.
        committer.shutdown();
        try {
            if (!committer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("group commit of {} did not finish in time", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            for (Verdict v : pending.values()) {
                verdicts.put(v.coordinate().toString(), StoreJson.write(v));
            }
            pending.clear();
            for (Map.Entry<PackageCoordinate, DownloadRecord> d; (d = pendingDownloads.poll()) != null; ) {
                downloads.put(d.getKey() + "\u0000" + String.format("%016x", downloadSeq.incrementAndGet()),
                        StoreJson.write(d.getValue()));
            }
            db.commit();
            closed = true;
            db.close();
        } finally {
            writeLock.unlock();
        }
    }
}
