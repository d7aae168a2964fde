package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.common.DiskRoom;
import dev.airlock.common.Json;
import dev.airlock.common.MapDbFailures;
import dev.airlock.common.StorageUnavailableException;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded queue's MapDB file: the stored jobs with their running marks, the results, and per
 * package and file kind the latest analysis and the latest clean one (the behaviour baseline of the
 * next version). Every change is one transaction, committed before the caller acts on it.
 *
 * <p>Not thread-safe on its own: {@link PersistentAnalysisQueue} calls it under its monitor, so a
 * commit and the in-memory queue it feeds change together.
 */
final class QueueFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueFile.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    /** A job read back at start, and whether the last process died while it ran. */
    record Stored(Job job, boolean wasRunning) {
    }

    /** What {@link #finish} committed: the result with its behaviour diff, and that result as stored. */
    record Finished(AnalysisResult result, String json) {
    }

    private static final long REOPEN_EVERY_NANOS = 2_000_000_000L;
    /** Opening starts a new write-ahead log file: at least this much room, whatever the reserve. */
    private static final long REOPEN_MIN_FREE = 1L << 20;

    private final Path path;
    private final DiskRoom room;
    // Not final: after a failure inside MapDB the file is reopened in place (see writable()). Every
    // call comes under the queue's monitor, so the swap cannot race a write; volatile for readers.
    private volatile DB db;
    private volatile HTreeMap<String, String> jobs;
    private volatile MapDbResults results;
    private volatile HTreeMap<String, String> latestByKind;
    /** Per package and file kind, the latest version analysed clean: the behaviour baseline of the next one. */
    private volatile HTreeMap<String, String> allowedByKind;
    /** Jobs whose stored form says running: cleared on a clean stop, so only a death leaves the mark. */
    private final Set<String> markedRunning = ConcurrentHashMap.newKeySet();
    /** Why the file takes no writes until it is reopened, or null. */
    private volatile String fenced;
    private long lastReopenTry = System.nanoTime() - REOPEN_EVERY_NANOS;

    QueueFile(Path file) {
        this(file, -1);
    }

    /** @param reserve bytes the disk keeps free (negative: the default; tests pass 0 to let MapDB meet the full disk) */
    QueueFile(Path file, long reserve) {
        this.path = file;
        this.room = new DiskRoom(file, reserve);
        open();
        migrateVersionJobs();
    }

    private void open() {
        this.db = DBMaker.fileDB(path.toFile()).transactionEnable().closeOnJvmShutdown().make();
        this.jobs = db.hashMap("jobs", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.results = new MapDbResults(db);
        this.latestByKind = db.hashMap("latestByKind", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.allowedByKind = db.hashMap("allowedByKind", Serializer.STRING, Serializer.STRING).createOrOpen();
    }

    MapDbResults results() {
        return results;
    }

    boolean isClosed() {
        return db.isClosed();
    }

    boolean holds(String key) {
        return jobs.containsKey(key);
    }

    /** The jobs stored by the last run; unreadable ones are dropped (and said so). Commits. */
    List<Stored> load(LongSupplier seq) {
        List<Stored> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new ArrayList<>(jobs.getEntries())) {
            try {
                out.add(new Stored(Job.decode(e.getValue(), seq.getAsLong()), Job.wasRunning(e.getValue())));
            } catch (IOException | RuntimeException ex) {
                LOG.warn("dropping unreadable queued job {}: {}", e.getKey(), ex.toString());
                jobs.remove(e.getKey());
            }
        }
        db.commit();
        return out;
    }

    /** Stores a job the last process died under with its death counted (committed by {@link #load}'s caller). */
    void rewrite(Job job) {
        jobs.put(job.key(), job.encode());
    }

    /** A job held after its second death: its {@code analysis_crashed} result replaces it. */
    void held(Job job, String resultJson) {
        results.put(job.key(), resultJson);
        jobs.remove(job.key());
    }

    /** Removes a stored job that cannot be resumed (committed by {@link #load}'s caller). */
    void drop(String key) {
        jobs.remove(key);
    }

    void commit() {
        db.commit();
    }

    /** Version jobs queued by a release before per-file analysis resume as version jobs. */
    private void migrateVersionJobs() {
        if (!db.exists("pending")) {
            return;
        }
        HTreeMap<String, Integer> old = db.hashMap("pending", Serializer.STRING, Serializer.INTEGER).open();
        for (Map.Entry<String, Integer> e : old.getEntries()) {
            try {
                PackageCoordinate c = PackageCoordinate.parse(e.getKey());
                jobs.putIfAbsent(Job.key(c, null), new Job(c, null, AnalysisPriority.values()[e.getValue()], 0).encode());
            } catch (RuntimeException ex) {
                LOG.warn("dropping unreadable queued version {}: {}", e.getKey(), ex.toString());
            }
        }
        old.clear();
        db.commit();
    }

    /**
     * Stores the submissions that are new or more urgent than the stored job of the same key (keeping
     * its deaths) and commits them as one; {@code busy} names keys that are running or parked.
     *
     * @return the jobs stored, to queue in memory
     */
    List<Job> submit(List<Job> batch, Predicate<String> busy) {
        return transaction(() -> submitUncommitted(batch, busy));
    }

    private List<Job> submitUncommitted(List<Job> batch, Predicate<String> busy) {
        List<Job> stored = new ArrayList<>();
        for (Job asked : batch) {
            String key = asked.key();
            if (results.has(key) || busy.test(key) || (asked.file() == null && results.hasLegacy(key))) {
                continue;
            }
            Job job = asked;
            String existing = jobs.get(key);
            if (existing != null) {
                try {
                    Job old = Job.decode(existing, 0);
                    if (old.priority().compareTo(asked.priority()) <= 0) {
                        continue;
                    }
                    job = new Job(asked.coordinate(), asked.file(), asked.priority(), asked.seq(), old.deaths());
                } catch (IOException e) {
                    LOG.debug("rewriting unreadable job {}", key);
                }
            }
            jobs.put(key, job.encode());
            stored.add(job);
        }
        return stored;
    }

    /**
     * Replaces a version job by a job per file that has neither a result nor a job yet, as one commit.
     *
     * @return the file jobs added, to queue in memory
     */
    List<Job> expand(Job version, List<ArtifactFile> files, LongSupplier seq) {
        return transaction(() -> expandUncommitted(version, files, seq));
    }

    private List<Job> expandUncommitted(Job version, List<ArtifactFile> files, LongSupplier seq) {
        List<Job> added = new ArrayList<>();
        for (ArtifactFile f : files) {
            String key = Job.key(version.coordinate(), f);
            if (!results.has(key) && !jobs.containsKey(key)) {
                Job fileJob = new Job(version.coordinate(), f, version.priority(), seq.getAsLong());
                jobs.put(key, fileJob.encode());
                added.add(fileJob);
            }
        }
        jobs.remove(version.key());
        return added;
    }

    /** Drops every result of the version before it is analysed again. */
    void forget(PackageCoordinate c) {
        transaction(() -> {
            results.removeVersion(c);
            return null;
        });
    }

    /**
     * Writes and commits the job's running mark (before the analysis) or clears it (after one that
     * ended without a result).
     *
     * @return whether the mark is stored
     */
    boolean markRunning(Job job, boolean on) {
        if (db.isClosed() || !jobs.containsKey(job.key())) {
            return false;
        }
        try {
            transaction(() -> jobs.put(job.key(), job.encode(on)));
        } catch (RuntimeException e) {
            LOG.warn("could not {} the running mark of {}: {}", on ? "store" : "clear", job.key(), e.toString());
            return false;
        }
        if (on) {
            markedRunning.add(job.key());
        } else {
            markedRunning.remove(job.key());
        }
        return true;
    }

    /**
     * Stores the job's result, with the behaviour changes since the latest analysis of the same
     * kind of file of another version, and removes the job: one commit.
     *
     * @throws IOException or a RuntimeException when it could not be stored (rolled back)
     */
    Finished finish(Job job, AnalysisResult analysed) throws IOException {
        writable();
        PackageCoordinate c = job.coordinate();
        AnalysisResult result = analysed;
        String kindKey = Baselines.kindKey(job);
        String previousKey = latestByKind.get(kindKey);
        if (previousKey != null && !Job.coordinateOf(previousKey).equals(c)) {
            AnalysisResult previous = results.read(previousKey);
            result = Baselines.withChanges(previous, Job.coordinateOf(previousKey).version(), result);
        }
        try {
            String json = JSON.writeValueAsString(result);
            results.put(job.key(), json);
            latestByKind.put(kindKey, job.key());
            if (result.recommendation() == Recommendation.CLEAN) {
                allowedByKind.put(kindKey, job.key());
            }
            jobs.remove(job.key());
            db.commit();
            markedRunning.remove(job.key());
            return new Finished(result, json);
        } catch (IOException | RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    /** The last version of this package whose file of the same kind was analysed clean: its sandbox behaviour is the habit. */
    PreviousVersion baseline(Job job) {
        String key = allowedByKind.get(Baselines.kindKey(job));
        if (key == null || Job.coordinateOf(key).equals(job.coordinate())) {
            return null;
        }
        AnalysisResult previous = results.read(key);
        return previous == null ? null : new PreviousVersion(Job.coordinateOf(key).version(), previous.behavior());
    }

    /** One transaction: refused before it starts when the file cannot take writes now, committed, or undone. */
    private <T> T transaction(Supplier<T> body) {
        writable();
        try {
            T out = body.get();
            db.commit();
            return out;
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        }
    }

    /**
     * A write failed: one that failed in MapDB fences the file (its write-ahead log no longer
     * matches the file, and committing on would write that damage into it, after which it cannot
     * be opened); any other rolls back as usual.
     */
    private void failed(Exception e) {
        if (MapDbFailures.inside(e)) {
            fence(e);
            return;
        }
        try {
            db.rollback();
        } catch (RuntimeException r) {
            fence(r);
        }
    }

    private void fence(Exception e) {
        if (fenced == null) {
            fenced = e.toString();
            LOG.error("the analysis queue's file {} failed inside MapDB ({}): it takes no writes until it is reopened "
                    + "at its last good commit, by itself once the disk has room; queued work waits", path, fenced);
        }
    }

    /**
     * Throws {@link StorageUnavailableException} unless a write can start now: the disk keeps its
     * reserve (MapDB must not meet a full disk), and a fenced file has been reopened. The reopen
     * closes the broken handle without a commit and opens the file as a restart would, at its last
     * good commit; tried at most every two seconds.
     */
    private void writable() {
        if (fenced != null) {
            long now = System.nanoTime();
            if (now - lastReopenTry >= REOPEN_EVERY_NANOS && room.roomy() && room.hasFree(REOPEN_MIN_FREE)) {
                lastReopenTry = now;
                reopen();
            }
            if (fenced != null) {
                throw new StorageUnavailableException("the analysis queue's file " + path + " takes no writes after a "
                        + "failure inside its database (" + fenced + "); it reopens by itself once the disk has room");
            }
        }
        if (!room.roomy()) {
            throw new StorageUnavailableException("Airlock's data disk is full (" + (room.free() >> 10) + " KiB left, "
                    + (room.reserve() >> 10) + " KiB needed): the analysis queue's file " + path
                    + " takes no writes until space is freed; queued work waits");
        }
    }

    private void reopen() {
        try {
            db.close();
        } catch (RuntimeException | Error e) {
            LOG.debug("closing the failed handle of {}: {}", path, e.toString());
        }
        try {
            open();
            String was = fenced;
            fenced = null;
            LOG.info("the analysis queue's file {} reopened at its last good commit after the failure inside MapDB "
                    + "({}): writes resume", path, was);
        } catch (RuntimeException e) {
            LOG.warn("the analysis queue's file {} could not be reopened yet ({}); trying again", path, e.toString());
        }
    }

    /**
     * Clears the running marks (a clean stop interrupted these analyses; it did not die under
     * them, so the next start must not count a death) and closes the file.
     */
    @Override
    public void close() {
        if (db.isClosed()) {
            return;
        }
        if (fenced != null) {
            // Its last good commit is what the next start must read: nothing more is written.
            try {
                db.close();
            } catch (RuntimeException | Error e) {
                LOG.debug("closing the failed handle of {}: {}", path, e.toString());
            }
            return;
        }
        try {
            for (String key : markedRunning) {
                String stored = jobs.get(key);
                if (stored != null) {
                    jobs.put(key, Job.decode(stored, 0).encode(false));
                }
            }
            db.commit();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not clear the running marks of {} interrupted analyses: {}", markedRunning.size(), e.toString());
        }
        db.close();
    }
}
