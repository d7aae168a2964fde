package dev.airlock.policy;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.rules.NameRules;
import dev.airlock.policy.rules.TyposquatDetector;
import dev.airlock.policy.store.VerdictStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Airlock's policy as the proxy asks it ({@link VerdictGate}): each question is answered by the
 * parts that hold one concern each — {@link Sightings} (first sightings, reuse of fresh
 * verdicts), {@link VerdictDecider} (the decision), {@link ServingDecisions} (a verdict as an
 * answer), {@link HoldWaits} (downloads waiting for an analysis), {@link StaticChecks} (the check
 * on first download) and {@link AnalysisRecorder} (results into verdicts). Every verdict carries
 * the reasons it was reached by. Fails closed: an internal error hides the version.
 */
public final class PolicyGate implements VerdictGate, AutoCloseable {
    public static final String PENDING_CODE = ServingDecisions.PENDING_CODE;
    public static final String PENDING_MESSAGE = ServingDecisions.PENDING_MESSAGE;
    public static final String NO_SANDBOX_CODE = VerdictDecider.NO_SANDBOX_CODE;
    public static final String NO_SANDBOX_MESSAGE = ServingDecisions.NO_SANDBOX_MESSAGE;
    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);

    private final PolicyConfig config;
    private final VerdictStore store;
    private final MalwareFeed feed;
    private final AnalysisQueue queue;
    private final Clock clock;
    private final Overrides overrides;
    private final AnalysisAvailability availability;
    private final VerdictDecider decider;
    private final ServingDecisions decisions;
    private final Sightings sightings;
    private final HoldWaits waits;
    private final AnalysisRecorder recorder;
    private final VerdictRefresh refresh;
    private final StaticChecks staticChecks;
    private final OutbreakHold outbreakHold;
    private final DownloadTally downloads;
    /** Analyses nobody waits for, queued once first downloads are quiet. */
    private final BackgroundSubmissions background;
    /** Answers to downloads of the same file, reused briefly while the store is unchanged. */
    private final DownloadDecisions recent = new DownloadDecisions();

    public PolicyGate(PolicyConfig config, VerdictStore store, NameRules rules, TyposquatDetector typosquats,
                      MalwareFeed feed, AnalysisQueue queue, StaticCheck staticCheck, Clock clock) {
        this.config = config;
        this.store = store;
        this.feed = feed;
        this.queue = queue;
        this.clock = clock;
        this.overrides = new Overrides(store.overrides(), clock);
        // Decisions depend on it: cached verdicts and filtered documents must be worked out again.
        this.availability = new AnalysisAvailability(store::touch);
        this.outbreakHold = OutbreakHold.open(config.holdPublishedAfter(), store);
        this.decider = new VerdictDecider(config, rules, typosquats, feed, overrides, availability::runs, outbreakHold);
        this.decisions = new ServingDecisions(config.mode().equals("audit"), overrides);
        VerdictLocks locks = new VerdictLocks();
        this.background = new BackgroundSubmissions(queue, System::nanoTime);
        this.sightings = new Sightings(store, decider, locks, background, clock);
        this.waits = new HoldWaits(this::evaluateFile, decisions::of);
        this.recorder = new AnalysisRecorder(store, decider, locks, clock, this::appendAuditQuietly, waits::signal);
        this.refresh = new VerdictRefresh(store, decider, locks, clock, waits::signal);
        this.downloads = new DownloadTally(store::recordDownload, true);
        this.staticChecks = staticCheck == null ? null
                : new StaticChecks(staticCheck, config.staticCheckWait(), recorder, background, decisions);
    }

    /**
     * Tells the gate whether the full analysis can run (a sandbox answers, or the configuration
     * releases on static analysis). While it cannot, a version that waits for its full analysis is
     * refused as {@code sandbox_unavailable}. Checked off the serving path, every {@code everyMillis}.
     */
    public void analysisAvailability(BooleanSupplier probe, long everyMillis) {
        availability.watch(probe, everyMillis);
    }

    public PolicyConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- VerdictGate

    /**
     * Decisions only change with the store (verdicts, overrides, feeds) or with time (holds and
     * minimum age), which the proxy's short reuse window covers; so the store's change count
     * tells the proxy when a filtered document may be reused.
     */
    @Override
    public long generation() {
        return store.generation();
    }

    @Override
    public Decision listed(PackageCoordinate c, Instant publishedAt) {
        try {
            return decisions.of(sightings.sight(c, publishedAt));
        } catch (RuntimeException e) {
            LOG.error("policy failed on {}; hiding it", c, e);
            return Decision.hide("policy_error", "Hidden: policy error, see the Airlock log");
        }
    }

    @Override
    public Decision listedFile(PackageCoordinate c, Instant versionPublishedAt, ArtifactFile file) {
        try {
            Verdict v = decideFile(sightings.sight(c, versionPublishedAt), file);
            if (file != null && v.analysisStage() == AnalysisStage.NONE && ServingDecisions.holdsForAnalysis(v)) {
                sightings.submitFileOnce(c, file, AnalysisPriority.NEW_VERSION);
            }
            return decisions.of(v);
        } catch (RuntimeException e) {
            LOG.error("policy failed on {} ({}); hiding it", c, file == null ? "-" : file.name(), e);
            return Decision.hide("policy_error", "Hidden: policy error, see the Airlock log");
        }
    }

    @Override
    public CompletionStage<Decision> beforeDownload(PackageCoordinate c, Instant publishedAt, DownloadContext who) {
        return beforeDownload(c, publishedAt, null, who);
    }

    @Override
    public CompletionStage<Decision> beforeDownload(PackageCoordinate c, Instant publishedAt, ArtifactFile file,
                                                    DownloadContext who) {
        try {
            long generation = store.generation();
            long now = clock.millis();
            CompletableFuture<Decision> reused = recent.reuse(c, file, false, publishedAt != null, generation, now);
            if (reused != null) {
                return reused;
            }
            Verdict v = decideFile(sightings.sight(c, publishedAt), file);
            Decision d = decisions.of(v);
            if (d.serve() || !ServingDecisions.waitsForAnalysis(v)) {
                return recent.keep(c, file, false, v.publishedAt() != null, generation, now, d);
            }
            background.submit(c, file, AnalysisPriority.DOWNLOAD_WAITING); // queued at once: someone waits
            return waits.await(c, file, System.nanoTime() + config.holdWait().toNanos());
        } catch (RuntimeException e) {
            LOG.error("policy failed on download of {}; refusing it", c, e);
            return CompletableFuture.completedFuture(Decision.hide("policy_error", "Blocked: policy error, see the Airlock log"));
        }
    }

    @Override
    public CompletionStage<Decision> afterFetch(PackageCoordinate c, Path artifact, String sha256) {
        return afterFetch(c, null, artifact, sha256);
    }

    @Override
    public CompletionStage<Decision> afterFetch(PackageCoordinate c, ArtifactFile requested, Path artifact, String sha256) {
        try {
            ArtifactFile file = requested == null ? null : requested.withSha256(sha256);
            long generation = store.generation();
            long now = clock.millis();
            CompletableFuture<Decision> reused = recent.reuse(c, file, true, false, generation, now);
            if (reused != null) {
                return reused;
            }
            Verdict v = decideFile(sightings.sight(c, null), file);
            Decision d = decisions.of(v);
            if (!d.serve() || v.analysisStage() != AnalysisStage.NONE || decider.vouchedFor(c) || staticChecks == null) {
                return recent.keep(c, file, true, v.publishedAt() != null, generation, now, d);
            }
            return staticChecks.check(c, file, artifact, sha256,
                    () -> decisions.of(decideFile(sightings.sight(c, null), file)));
        } catch (RuntimeException e) {
            LOG.error("policy failed after fetching {}; refusing it", c, e);
            return CompletableFuture.completedFuture(Decision.hide("policy_error", "Blocked: policy error, see the Airlock log"));
        }
    }

    /** Counted now, recorded within a second, coalesced per client ({@link DownloadTally}). */
    @Override
    public void served(PackageCoordinate c, DownloadContext who) {
        downloads.add(c, who, clock.millis());
    }

    /** Hands the downloads counted so far to the store, so a reader sees every one. */
    void flushDownloads() {
        downloads.flush();
    }

    // ---------------------------------------------------------------- analysis results

    /** Whether the verdict lacks this full analysis (a crash came between the queue's commit and ours). */
    public boolean lacksFullAnalysis(PackageCoordinate c, ArtifactFile file) {
        return recorder.lacksFullAnalysis(c, file);
    }

    /** Receives the analysis queue's results of versions analysed as a whole. */
    public void onAnalysisResult(PackageCoordinate c, AnalysisResult result) {
        onAnalysisResult(c, null, result);
    }

    /** Receives the analysis queue's results (wired by {@link PolicyEngine}); {@code file} null: the version as a whole. */
    public void onAnalysisResult(PackageCoordinate c, ArtifactFile file, AnalysisResult result) {
        try {
            recorder.record(c, file, result, AnalysisStage.FULL, result.sha256());
        } catch (RuntimeException e) {
            LOG.error("could not record the analysis of {}", c, e);
        }
    }

    // ---------------------------------------------------------------- evaluation without recording

    /** The verdict as the proxy acts on it (audit mode serves everything and says what it would have done). */
    public Decision decisionFor(Verdict v) {
        return decisions.of(v);
    }

    /** The current verdict of one file of a version, without recording anything. */
    public Verdict evaluateFile(PackageCoordinate c, ArtifactFile file) {
        return decideFile(evaluate(c), file);
    }

    /** The current verdict of any version, seen or not, without recording anything. */
    public Verdict evaluate(PackageCoordinate c) {
        Instant now = clock.instant();
        return decider.decide(store.verdict(c).orElseGet(() -> decider.firstSighting(c, null, now)), now);
    }

    /** Number of downloads waiting for an analysis right now. */
    public int waitingDownloads() {
        return waits.waiting();
    }

    private Verdict decideFile(Verdict version, ArtifactFile file) {
        return decider.decideFile(version, file, clock.instant());
    }

    // ---------------------------------------------------------------- used by PolicyAdmin

    Verdict decide(Verdict f, Instant now) {
        return decider.decide(f, now);
    }

    Map<String, AdminOverride> overrides() {
        return overrides.asMap();
    }

    OutbreakHold outbreakHold() {
        return outbreakHold;
    }

    /** Downloads waiting on a version of the package look at their verdict again (it changed on another node). */
    void signalChanged(PackageId id) {
        waits.signal(id);
    }

    /** Re-decides the stored verdicts of a package (after an override or feed change) and commits them. */
    List<Verdict> refresh(PackageId id, Set<PackageCoordinate> alsoRecord) {
        return refresh.refresh(id, alsoRecord);
    }

    void appendAuditQuietly(AuditEntry e) {
        try {
            store.appendAudit(e);
        } catch (RuntimeException ex) {
            LOG.warn("could not append audit line {}", e, ex);
        }
    }

    Clock clock() {
        return clock;
    }

    VerdictStore store() {
        return store;
    }

    MalwareFeed feed() {
        return feed;
    }

    AnalysisQueue queue() {
        return queue;
    }

    @Override
    public void close() {
        downloads.close();
        if (staticChecks != null) {
            staticChecks.close();
        }
        background.close();
        availability.close();
        waits.close();
    }
}
