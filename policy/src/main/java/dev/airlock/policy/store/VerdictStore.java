package dev.airlock.policy.store;

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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Policy's durable state: verdicts, overrides, break-glass exemptions, the audit log, the
 * downloads log, imported feed records, every analysis a version had, and the overview's history.
 * {@link MapDbVerdictStore} keeps it in one embedded file (one node); {@link dev.airlock.policy.store.pg.PostgresVerdictStore}
 * in a PostgreSQL database shared by every node, with verdicts and overrides mirrored in memory.
 *
 * <p>Reads of verdicts, overrides and exemptions never wait for a disk or a database: the serving
 * path calls them on every request. A write that must not be lost (an override with its audit
 * line, an analysis verdict, a feed import) is durable when the call returns; first sightings
 * ({@link #putVerdictSoon}) and downloads are written a fraction of a second later in batches.
 *
 * <p>A write the store cannot make for a reason of the machine (a full data disk, a fenced
 * embedded file, an unreachable shared database) throws {@link StoreUnavailableException}: nothing
 * was written, the same call can work later, and callers answer 503, never a verdict.
 */
public interface VerdictStore extends AutoCloseable {
    /** Version 1 of the embedded file: JSON values keyed by {@code ecosystem:name@version}. */
    int SCHEMA_VERSION = 1;
    String FILE_NAME = "policy.db";

    /** Opens (or creates) the embedded store {@code <dataDir>/policy.db}. */
    static MapDbVerdictStore open(Path dataDir) {
        return MapDbVerdictStore.open(dataDir);
    }

    /** Changes so far; any verdict, override or feed change (made here or, when shared, on another node) increments it. */
    long generation();

    /** The embedded file, for the banner and backups; null when the store is a shared database. */
    Path file();

    /** Something the decisions depend on changed outside the store (the sandbox came or went). */
    void touch();

    // ---- verdicts

    Optional<Verdict> verdict(PackageCoordinate c);

    /** Writes a verdict; durable when it returns. */
    void putVerdict(Verdict v);

    /**
     * Reads the version's verdict, lets {@code change} make the next one from it ({@code null}:
     * no change) and writes that, with no other write of the same version in between, on any node.
     *
     * @return what was written, or null
     */
    Verdict updateVerdict(PackageCoordinate c, Function<Optional<Verdict>, Verdict> change);

    /**
     * As {@link #updateVerdict}, written with the next batch where the store batches (readers see
     * it at once); a store that cannot batch such an update writes it at once.
     */
    default Verdict updateVerdictSoon(PackageCoordinate c, Function<Optional<Verdict>, Verdict> change) {
        return updateVerdict(c, change);
    }

    /** Writes verdicts in one transaction. */
    void putVerdicts(Collection<Verdict> vs);

    /** Records a verdict for the next batch write (first sightings, re-evaluations); readers see it at once. */
    void putVerdictSoon(Verdict v);

    /**
     * Told of every verdict written (the admin listing's in-memory index, the overview's
     * transition counters), and when shared, of every verdict another node wrote. It must be quick;
     * a failure is logged and never fails the write.
     */
    void onVerdictWritten(Consumer<Verdict> listener);

    /** Every known version of a package, in key order. */
    List<Verdict> verdicts(PackageId id);

    /** Visits every stored verdict (admin listings). */
    void forEachVerdict(Consumer<Verdict> visitor);

    long verdictCount();

    // ---- overrides and break-glass exemptions

    Optional<AdminOverride> override(String target);

    List<AdminOverride> overrides();

    /** Sets or removes ({@code o == null}) an override and appends its audit line in one transaction. */
    AuditEntry changeOverride(String target, AdminOverride o, AuditEntry auditLine);

    /** Sets or removes ({@code null} value) several overrides with one audit line each, in one transaction. */
    List<AuditEntry> changeOverrides(Map<String, AdminOverride> changes, List<AuditEntry> auditLines);

    /** The exemptions from the outbreak hold (JSON of {@code dev.airlock.policy.HoldExemption}). */
    List<String> holdExemptions();

    /** Sets or removes ({@code json == null}) an exemption and appends its audit line in one transaction. */
    AuditEntry changeHoldExemption(String target, String json, AuditEntry auditLine);

    // ---- analysis log and overview history

    /** Appends one analysis record (JSON) of a version. */
    void appendAnalysisRecord(PackageCoordinate c, String json);

    /** The version's analysis records, oldest first. */
    List<String> analysisRecords(PackageCoordinate c);

    /** The history buckets with keys in {@code [from, to)}, in key order. */
    SortedMap<String, String> history(String from, String to);

    /** Writes and removes history buckets in one transaction. */
    void changeHistory(Map<String, String> put, Collection<String> remove);

    // ---- audit

    /** Appends an audit line (its {@code seq} is assigned here). */
    AuditEntry appendAudit(AuditEntry e);

    /** Appends audit lines in one transaction. */
    List<AuditEntry> appendAudit(List<AuditEntry> lines);

    /** One page of the audit log, newest first. Scans: call it off the event loop. */
    AuditPage audit(AuditQuery q);

    /** Audit lines at or after {@code since} (null: all), oldest first, at most {@code limit}. */
    List<AuditEntry> audit(Instant since, int limit);

    // ---- downloads

    /** Records one download, written with the next batch: the serving path never waits for it. */
    void recordDownload(PackageCoordinate c, DownloadRecord r);

    List<DownloadRecord> downloads(PackageCoordinate c, int limit);

    // ---- feed records (raw JSON of the normalised record, keyed by record id)

    Optional<String> feedRecord(String id);

    /** Read-only view of the stored feed records. */
    Map<String, String> feedRecords();

    /** Writes and removes feed records with their audit line in one transaction (an import is all or nothing). */
    void changeFeedRecords(Map<String, String> put, Collection<String> remove, AuditEntry auditLine);

    /**
     * Told of changes other nodes make (a shared store only; the embedded one has no other
     * writer), so that policy's own in-memory copies (overrides, exemptions, the feed index) and
     * downloads waiting for a verdict follow at once.
     */
    default void onChangedElsewhere(StoreChanges listener) {
    }

    /** Runs the writes as one transaction: they are all durable or, if one throws, none is. */
    void transaction(Runnable writes);

    /** Writes what waits for the next batch now (tests and shutdown). */
    void flush();

    @Override
    void close();
}
