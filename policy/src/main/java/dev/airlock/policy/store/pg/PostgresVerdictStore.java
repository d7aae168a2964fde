package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.store.StoreChanges;
import dev.airlock.policy.store.StoreJson;
import dev.airlock.policy.store.StoreUnavailableException;
import dev.airlock.policy.store.VerdictStore;
import dev.airlock.sql.Database;
import dev.airlock.sql.SqlWork;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy's store in a PostgreSQL database that every node of a deployment shares. Verdicts,
 * overrides, exemptions and feed records are mirrored in memory ({@link Mirrors}), so the serving
 * path reads no database; a write goes to the database first and every other node hears of it by
 * {@code LISTEN/NOTIFY} and re-reads it ({@link ChangeFeed}). Logs and history are read from the
 * database (admin paths, off the event loop). Sightings and downloads wait in
 * {@link PendingWrites} for a batch.
 *
 * <p>A write made inside a transaction the caller opened on the shared {@link Database} (the
 * analysis queue recording a result) joins it: the mirror takes the value at once, and if that
 * transaction rolls back the version is read back from the database.
 */
public final class PostgresVerdictStore implements VerdictStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresVerdictStore.class);
    private static final long BATCH_MS = 200;

    private final Database db;
    private final String node;
    private final Mirrors mirrors = new Mirrors();
    private final PendingWrites pending;
    private final ChangeFeed feed;
    private final PgWrites writes;
    private final ScheduledExecutorService writer;
    private volatile boolean closed;

    private PostgresVerdictStore(Database db) {
        this.db = db;
        this.node = db.nodeId();
        this.pending = new PendingWrites(db);
        this.feed = new ChangeFeed(db, mirrors);
        this.writes = new PgWrites(db, mirrors, pending);
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "policy-store-batch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the mirrors from the database and starts listening; the database stays the caller's to close. */
    public static PostgresVerdictStore open(Database db) {
        PostgresVerdictStore s = new PostgresVerdictStore(db);
        s.feed.start(db.config().reconcileInterval());
        s.writer.scheduleWithFixedDelay(s::flushQuietly, BATCH_MS, BATCH_MS, TimeUnit.MILLISECONDS);
        LOG.info("policy store: {} verdicts, {} overrides, {} feed records from the shared store", s.mirrors.verdicts.size(),
                s.mirrors.overrides.size(), s.mirrors.feed.size());
        return s;
    }

    @Override
    public long generation() {
        return mirrors.generation();
    }

    @Override
    public Path file() {
        return null;
    }

    @Override
    public void touch() {
        mirrors.touch();
    }

    @Override
    public void onVerdictWritten(Consumer<Verdict> listener) {
        mirrors.onWritten(listener);
    }

    @Override
    public void onChangedElsewhere(StoreChanges listener) {
        mirrors.onElsewhere(listener);
    }

    // ---- verdicts

    @Override
    public Optional<Verdict> verdict(PackageCoordinate c) {
        return mirrors.verdicts.get(c);
    }

    @Override
    public void putVerdict(Verdict v) {
        ensureOpen();
        tx(c -> {
            writes.writeNow(c, v);
            return null;
        });
    }

    @Override
    public Verdict updateVerdict(PackageCoordinate coordinate, Function<Optional<Verdict>, Verdict> change) {
        ensureOpen();
        return shared(() -> writes.update(coordinate, change));
    }

    @Override
    public void putVerdicts(Collection<Verdict> vs) {
        if (vs.isEmpty()) {
            return;
        }
        ensureOpen();
        tx(c -> {
            for (Verdict v : vs) {
                writes.writeNow(c, v);
            }
            return null;
        });
    }

    @Override
    public void putVerdictSoon(Verdict v) {
        ensureOpen();
        VerdictMirror.Entry e = mirrors.verdicts.entry(v.coordinate());
        pending.sighting(v, e == null ? 0 : e.rev());
        mirrors.verdicts.putAhead(v);
        mirrors.local(v);
    }

    @Override
    public List<Verdict> verdicts(PackageId id) {
        return mirrors.verdicts.ofPackage(id);
    }

    @Override
    public void forEachVerdict(Consumer<Verdict> visitor) {
        mirrors.verdicts.forEach(visitor);
    }

    @Override
    public long verdictCount() {
        return mirrors.verdicts.size();
    }

    // ---- overrides and exemptions

    @Override
    public Optional<AdminOverride> override(String target) {
        String json = mirrors.overrides.get(target);
        return json == null ? Optional.empty() : Optional.of(StoreJson.read(json, AdminOverride.class));
    }

    @Override
    public List<AdminOverride> overrides() {
        List<AdminOverride> out = new ArrayList<>();
        for (String json : mirrors.overrides.values()) {
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
        Map<String, String> json = new java.util.LinkedHashMap<>();
        changes.forEach((target, o) -> json.put(target, o == null ? null : StoreJson.write(o)));
        ensureOpen();
        return shared(() -> writes.changeKeyed(Mirrors.Kind.OVERRIDE, json, auditLines));
    }

    @Override
    public List<String> holdExemptions() {
        return new ArrayList<>(mirrors.exemptions.values());
    }

    @Override
    public AuditEntry changeHoldExemption(String target, String json, AuditEntry auditLine) {
        ensureOpen();
        return shared(() -> writes.changeKeyed(Mirrors.Kind.EXEMPTION, Collections.singletonMap(target, json),
                List.of(auditLine))).get(0);
    }

    // ---- analysis log and history

    @Override
    public void appendAnalysisRecord(PackageCoordinate coordinate, String json) {
        tx(c -> {
            LogRows.appendAnalysis(c, coordinate, json);
            return null;
        });
    }

    @Override
    public List<String> analysisRecords(PackageCoordinate coordinate) {
        return tx(c -> LogRows.analyses(c, coordinate));
    }

    @Override
    public SortedMap<String, String> history(String from, String to) {
        return tx(c -> LogRows.history(c, from, to));
    }

    @Override
    public void changeHistory(Map<String, String> put, Collection<String> remove) {
        tx(c -> {
            LogRows.changeHistory(c, put, remove);
            return null;
        });
    }

    // ---- audit

    @Override
    public AuditEntry appendAudit(AuditEntry e) {
        return tx(c -> AuditRows.append(c, e));
    }

    @Override
    public List<AuditEntry> appendAudit(List<AuditEntry> lines) {
        return tx(c -> {
            List<AuditEntry> out = new ArrayList<>();
            for (AuditEntry line : lines) {
                out.add(AuditRows.append(c, line));
            }
            return out;
        });
    }

    @Override
    public AuditPage audit(AuditQuery q) {
        return tx(c -> AuditRows.page(c, q));
    }

    @Override
    public List<AuditEntry> audit(Instant since, int limit) {
        return tx(c -> AuditRows.since(c, since, limit));
    }

    // ---- downloads

    @Override
    public void recordDownload(PackageCoordinate c, DownloadRecord r) {
        ensureOpen();
        pending.download(c, r);
    }

    @Override
    public List<DownloadRecord> downloads(PackageCoordinate coordinate, int limit) {
        flush();
        return tx(c -> LogRows.downloads(c, coordinate, limit));
    }

    // ---- feed records

    @Override
    public Optional<String> feedRecord(String id) {
        return Optional.ofNullable(mirrors.feed.get(id));
    }

    @Override
    public Map<String, String> feedRecords() {
        return Collections.unmodifiableMap(mirrors.feed);
    }

    @Override
    public void changeFeedRecords(Map<String, String> put, Collection<String> remove, AuditEntry auditLine) {
        ensureOpen();
        shared(() -> {
            writes.changeFeedRecords(put, remove, auditLine);
            return null;
        });
    }

    @Override
    public void transaction(Runnable writes) {
        // The store's own writes inside join this transaction (Database binds it to the thread).
        tx(c -> {
            writes.run();
            return null;
        });
    }

    // ---- batches and lifecycle

    @Override
    public void flush() {
        shared(() -> {
            writes.flush();
            return null;
        });
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("shared store: batch write failed (retried)", e);
        }
    }

    /** A transaction on the shared database, its outage said in the store's terms. */
    private <T> T tx(SqlWork<T> work) {
        return shared(() -> db.transaction(work));
    }

    /**
     * An unreachable or refusing database is the store's {@link StoreUnavailableException}, as a
     * full disk is for the embedded file: nothing was written, callers answer 503, never a verdict.
     */
    private static <T> T shared(Supplier<T> work) {
        try {
            return work.get();
        } catch (dev.airlock.sql.StoreUnavailableException e) {
            throw new StoreUnavailableException(e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("policy store is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
        closed = true;
        feed.close();
    }
}
