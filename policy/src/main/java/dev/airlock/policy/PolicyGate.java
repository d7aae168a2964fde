package dev.airlock.policy;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.feed.FeedRecord;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.rules.NameRules;
import dev.airlock.policy.rules.TyposquatDetector;
import dev.airlock.policy.store.VerdictStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Airlock's policy: turns what is known about a version (first sighting, publish time, admin
 * overrides, the malware feed, configured rules, look-alike names, analysis results) into a
 * verdict, and the verdict into a {@link Decision}. Every verdict carries the reasons it was
 * reached by. Fails closed: an internal error hides the version.
 *
 * <p>Order of precedence: an admin override decides alone; otherwise every applicable reason is
 * collected and the most severe state wins (blocked, then quarantined, then pending).
 */
public final class PolicyGate implements VerdictGate, AutoCloseable {
    public static final String PENDING_CODE = "quarantined_pending";
    public static final String PENDING_MESSAGE = "Quarantined: analysis pending";
    public static final String NO_SANDBOX_CODE = "sandbox_unavailable";
    public static final String NO_SANDBOX_MESSAGE = "Quarantined: analysis pending (sandbox unavailable)";
    private static final Reason NO_SANDBOX = Reason.of(NO_SANDBOX_CODE, ReasonSource.RULE,
            "analysis pending (sandbox unavailable)");
    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);
    private static final Pattern SNAKE = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final long PENDING_RETRY_SECONDS = 60;
    private static final long STATIC_RETRY_SECONDS = 15;

    private final PolicyConfig config;
    private final VerdictStore store;
    private final NameRules rules;
    private final TyposquatDetector typosquats;
    private final MalwareFeed feed;
    private final AnalysisQueue queue;
    private final StaticCheck staticCheck;
    private final Clock clock;
    private final String publicBase;
    private final boolean audit;
    private final Duration holdWindow;
    private final Reason pendingReason;
    private final Reason unknownPublishReason;
    private final Reason minimumAgeReason;
    private static final Reason BEFORE_HOLD = Reason.of("published_before_hold", ReasonSource.RULE,
            "published before the hold window; static check on first download");
    private final Map<String, AdminOverride> overrides = new ConcurrentHashMap<>();
    private final OutbreakHold outbreakHold;
    private final Map<PackageId, Set<CompletableFuture<Boolean>>> waiters = new ConcurrentHashMap<>();
    private final StaticCheckRuns staticRuns = new StaticCheckRuns(Math.max(2, Runtime.getRuntime().availableProcessors()));
    /** Whether the full analysis can run now; read by the serving path, so kept in a field a timer refreshes. */
    private volatile boolean analysisRuns = true;
    private volatile BooleanSupplier analysisRunsProbe = () -> true;
    private final ScheduledExecutorService probeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "policy-sandbox-probe");
        t.setDaemon(true);
        return t;
    });
    /** File jobs already handed to the queue, so a page listed again and again does not ask it each time. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> fileSubmitted =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000)
                    .expireAfterWrite(java.time.Duration.ofMinutes(1)).build();
    /**
     * Read-modify-write of one version's verdict happens under its stripe, so a listing that
     * re-decides a verdict can never write back a copy older than an analysis result.
     */
    private final Object[] stripes = new Object[64];

    public PolicyGate(PolicyConfig config, VerdictStore store, NameRules rules, TyposquatDetector typosquats,
                      MalwareFeed feed, AnalysisQueue queue, StaticCheck staticCheck, Clock clock, String publicBase) {
        this.config = config;
        this.store = store;
        this.rules = rules;
        this.typosquats = typosquats;
        this.feed = feed;
        this.queue = queue;
        this.staticCheck = staticCheck;
        this.clock = clock;
        this.publicBase = publicBase == null ? "/" : (publicBase.endsWith("/") ? publicBase : publicBase + "/");
        this.audit = config.mode().equals("audit");
        this.holdWindow = config.holdWindow();
        this.pendingReason = Reason.of("analysis_pending", ReasonSource.RULE, config.holdAlways()
                ? "new version: analysis pending" : "published less than " + human(holdWindow) + " ago: analysis pending");
        this.unknownPublishReason = Reason.of("analysis_pending", ReasonSource.RULE,
                "new version (publish time unknown): analysis pending");
        this.minimumAgeReason = config.minimumAge() == null ? null : Reason.of("minimum_age", ReasonSource.RULE,
                "published less than " + human(config.minimumAge()) + " ago (minimum age)");
        for (AdminOverride o : store.overrides()) {
            overrides.put(o.target(), o);
        }
        this.outbreakHold = OutbreakHold.open(config.holdPublishedAfter(), store);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * Tells the gate whether the full analysis can run (a sandbox answers, or the configuration
     * releases on static analysis). While it cannot, a version that waits for its full analysis is
     * refused as {@code sandbox_unavailable}. Checked off the serving path, every {@code everyMillis}.
     */
    public void analysisAvailability(BooleanSupplier probe, long everyMillis) {
        this.analysisRunsProbe = probe;
        refreshAvailability();
        probeTimer.scheduleWithFixedDelay(this::refreshAvailability, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void refreshAvailability() {
        boolean now;
        try {
            now = analysisRunsProbe.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("sandbox probe failed; treating the sandbox as unavailable: {}", e.toString());
            now = false;
        }
        if (now != analysisRuns) {
            analysisRuns = now;
            LOG.info(now ? "the full analysis runs again: held versions are released as their analyses finish"
                    : "no sandbox: versions waiting for their full analysis are refused as sandbox_unavailable");
            // Decisions depend on it: cached verdicts and filtered documents must be worked out again.
            store.touch();
        }
    }

    /** Verdicts just worked out, reused while the store is unchanged (see {@link #sight}). */
    private final com.github.benmanes.caffeine.cache.Cache<PackageCoordinate, Sighted> recentSightings =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(200_000)
                    .expireAfterWrite(java.time.Duration.ofSeconds(10)).build();

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
            return decisionFor(sight(c, publishedAt));
        } catch (RuntimeException e) {
            LOG.error("policy failed on {}; hiding it", c, e);
            return Decision.hide("policy_error", "Hidden: policy error, see the Airlock log");
        }
    }

    @Override
    public Decision listedFile(PackageCoordinate c, Instant versionPublishedAt, ArtifactFile file) {
        try {
            Verdict v = decideFile(sight(c, versionPublishedAt), file);
            if (file != null && v.analysisStage() == AnalysisStage.NONE && holdsForAnalysis(v)) {
                submitFile(c, file, AnalysisPriority.NEW_VERSION);
            }
            return decisionFor(v);
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
            Verdict v = decideFile(sight(c, publishedAt), file);
            Decision d = decisionFor(v);
            if (d.serve() || !waitsForAnalysis(v)) {
                return CompletableFuture.completedFuture(d);
            }
            if (file == null) {
                queue.submit(c, AnalysisPriority.DOWNLOAD_WAITING);
            } else {
                queue.submit(c, file, AnalysisPriority.DOWNLOAD_WAITING);
            }
            return await(c, file, System.nanoTime() + config.holdWait().toNanos());
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
            Verdict v = decideFile(sight(c, null), file);
            Decision d = decisionFor(v);
            if (!d.serve() || v.analysisStage() != AnalysisStage.NONE || rules.allowed(c).isPresent()
                    || overrideFor(c).isPresent()) {
                return CompletableFuture.completedFuture(d);
            }
            if (staticCheck == null) {
                return CompletableFuture.completedFuture(d);
            }
            String key = c + "|" + (file == null ? "" : file.name()) + "|" + sha256;
            CompletableFuture<AnalysisResult> run = staticRuns.run(key, () -> staticCheck.check(c, artifact),
                    result -> recordStaticCheck(c, file, result, sha256));
            // A copy per caller: one download giving up must not time the shared run out for the others.
            return run.copy().orTimeout(config.staticCheckWait().toMillis(), TimeUnit.MILLISECONDS)
                    .handle((result, error) -> afterStaticCheck(c, file, error));
        } catch (RuntimeException e) {
            LOG.error("policy failed after fetching {}; refusing it", c, e);
            return CompletableFuture.completedFuture(Decision.hide("policy_error", "Blocked: policy error, see the Airlock log"));
        }
    }

    /** The verdict that applies to one file of the version: the version's, with the file's own analysis and hold. */
    Verdict decideFile(Verdict version, ArtifactFile file) {
        if (file == null) {
            return version;
        }
        return decide(version.forFile(file), clock.instant());
    }

    private void submitFile(PackageCoordinate c, ArtifactFile file, AnalysisPriority priority) {
        String key = c + "|" + file.name();
        if (fileSubmitted.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
            queue.submit(c, file, priority);
        }
    }

    @Override
    public void served(PackageCoordinate c, DownloadContext who) {
        try {
            store.recordDownload(c, DownloadRecord.of(clock.instant(), who));
        } catch (RuntimeException e) {
            LOG.warn("could not record the download of {}", c, e);
        }
    }

    // ---------------------------------------------------------------- analysis

    /**
     * Recorded when it finishes, even after the waiting download gave up: the next try is served
     * from it. A recording failure fails the run, so the download is refused, never served unjudged.
     */
    private void recordStaticCheck(PackageCoordinate c, ArtifactFile file, AnalysisResult result, String sha256) {
        recordAnalysis(c, file, result, AnalysisStage.STATIC, sha256 != null ? sha256 : result.sha256());
        if (result.recommendation() != dev.airlock.analysis.Recommendation.MALICIOUS) {
            if (file == null) {
                queue.submit(c, AnalysisPriority.BACKGROUND_SWEEP);
            } else {
                queue.submit(c, file, AnalysisPriority.BACKGROUND_SWEEP);
            }
        }
    }

    private Decision afterStaticCheck(PackageCoordinate c, ArtifactFile file, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return audited(Decision.hold("static_check_pending", "Quarantined: static analysis still running, retry shortly",
                    STATIC_RETRY_SECONDS), c);
        }
        if (cause != null) {
            LOG.warn("static check of {} failed: {}", c, cause.toString());
            return audited(Decision.hold("static_check_failed", "Quarantined: static analysis failed ("
                    + Reason.ascii(cause.getClass().getSimpleName()) + ")", PENDING_RETRY_SECONDS), c);
        }
        return decisionFor(decideFile(sight(c, null), file));
    }

    private Object stripe(PackageCoordinate c) {
        return stripes[Math.floorMod(c.hashCode(), stripes.length)];
    }

    /** Whether the verdict lacks this full analysis (a crash came between the queue's commit and ours). */
    public boolean lacksFullAnalysis(PackageCoordinate c, ArtifactFile file) {
        Optional<Verdict> v = store.verdict(c);
        if (v.isEmpty()) {
            return true;
        }
        if (file == null) {
            return v.get().analysisStage() != AnalysisStage.FULL;
        }
        return v.get().file(file).map(f -> f.stage() != AnalysisStage.FULL).orElse(true);
    }

    /** Receives the analysis queue's results of versions analysed as a whole. */
    public void onAnalysisResult(PackageCoordinate c, AnalysisResult result) {
        onAnalysisResult(c, null, result);
    }

    /** Receives the analysis queue's results (wired by {@link PolicyEngine}); {@code file} null: the version as a whole. */
    public void onAnalysisResult(PackageCoordinate c, ArtifactFile file, AnalysisResult result) {
        try {
            recordAnalysis(c, file, result, AnalysisStage.FULL, result.sha256());
        } catch (RuntimeException e) {
            LOG.error("could not record the analysis of {}", c, e);
        }
    }

    private void recordAnalysis(PackageCoordinate c, ArtifactFile file, AnalysisResult result, AnalysisStage stage,
                                String sha256) {
        Instant now = clock.instant();
        VerdictState state = switch (result.recommendation()) {
            case MALICIOUS -> VerdictState.BLOCKED;
            case SUSPICIOUS -> VerdictState.QUARANTINED;
            case CLEAN -> VerdictState.ALLOWED;
        };
        Verdict before;
        Verdict after;
        synchronized (stripe(c)) {
            before = store.verdict(c).orElseGet(() -> facts(c, null, now));
            List<Reason> why = analysisReasons(result, state);
            Verdict facts;
            if (file == null) {
                if (stage == AnalysisStage.STATIC && before.analysisStage() == AnalysisStage.FULL) {
                    return;
                }
                facts = before.withAnalysis(stage, state, why, sha256);
            } else {
                facts = before.withFileAnalysis(new FileAnalysis(file.name(), sha256 != null ? sha256 : file.sha256(),
                        file.uploadedAt(), stage, state, why, now));
            }
            after = decide(facts, now);
            store.putVerdict(after);
        }
        if (after.state() != before.state()) {
            appendAuditQuietly(new AuditEntry(0, now, "analysis", "analysis_" + stage.name().toLowerCase(Locale.ROOT),
                    c + (file == null ? "" : " " + file.name()),
                    before.firstSeen() == null && before.reasons().isEmpty() ? null : before.state().id(),
                    after.state().id(), after.primaryReason().message()));
        }
        signal(c.packageId());
    }

    private static List<Reason> analysisReasons(AnalysisResult result, VerdictState state) {
        if (state == VerdictState.ALLOWED) {
            return List.of(Reason.of("analysis_clean", ReasonSource.ANALYSIS, "analysis found nothing worrying"));
        }
        List<Finding> findings = new ArrayList<>(result.findings());
        findings.sort((a, b) -> Integer.compare(severity(b.severity()), severity(a.severity())));
        List<Reason> out = new ArrayList<>();
        for (Finding f : findings) {
            if (out.size() >= 5 || severity(f.severity()) < 2 && !out.isEmpty()) {
                break;
            }
            String code = f.rule() != null && SNAKE.matcher(f.rule()).matches() ? f.rule() : "analysis_finding";
            String msg = (f.message() == null ? code : f.message()) + (f.location() == null ? "" : " (" + f.location() + ")");
            out.add(Reason.of(code, ReasonSource.ANALYSIS, msg));
        }
        if (out.isEmpty()) {
            out.add(state == VerdictState.BLOCKED
                    ? Reason.of("analysis_malicious", ReasonSource.ANALYSIS, "the analysis found malicious behaviour")
                    : Reason.of("analysis_suspicious", ReasonSource.ANALYSIS, "the analysis found suspicious code"));
        }
        return out;
    }

    private static int severity(String s) {
        return switch (s == null ? "" : s) {
            case "critical" -> 4;
            case "high" -> 3;
            case "medium" -> 2;
            case "low" -> 1;
            default -> 0;
        };
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Records a sighting (first seen, publish time) and returns the current verdict. The write of a
     * changed verdict is group-committed: the serving path never waits for a disk sync.
     */
    Verdict sight(PackageCoordinate c, Instant publishedAt) {
        // Fast path for the hot case (the same versions asked again and again): nothing in the
        // store changed since this verdict was worked out, and it already knows its publish time.
        long generation = store.generation();
        long now = clock.millis();
        Sighted recent = recentSightings.getIfPresent(c);
        if (recent != null && recent.generation() == generation && now >= recent.at() && now - recent.at() < REUSE_MILLIS
                && (publishedAt == null || recent.verdict().publishedAt() != null)) {
            return recent.verdict();
        }
        Verdict v = sightSlow(c, publishedAt);
        recentSightings.put(c, new Sighted(generation, now, v));
        return v;
    }

    /** Time-driven changes (a hold or minimum age running out, an override expiring) show within this, by the gate's clock. */
    private static final long REUSE_MILLIS = 2_000;

    /** A verdict worked out at {@code at} (the gate's clock) when the store had this change count. */
    private record Sighted(long generation, long at, Verdict verdict) {
    }

    private Verdict sightSlow(PackageCoordinate c, Instant publishedAt) {
        Verdict v;
        boolean first;
        synchronized (stripe(c)) {
            Optional<Verdict> stored = store.verdict(c);
            first = stored.isEmpty() || stored.get().firstSeen() == null;
            v = sightLocked(c, publishedAt, stored);
        }
        // Also when a rule hides it for another reason (a look-alike name): the reviewer wants the findings.
        if (first && v.reasons().stream().anyMatch(r -> r.code().equals("analysis_pending"))) {
            queue.submit(c, AnalysisPriority.NEW_VERSION);
        }
        return v;
    }

    private Verdict sightLocked(PackageCoordinate c, Instant publishedAt, Optional<Verdict> stored) {
        Instant now = clock.instant();
        Verdict f;
        boolean first;
        if (stored.isEmpty() || stored.get().firstSeen() == null) {
            first = true;
            f = facts(c, publishedAt, now);
            if (stored.isPresent()) {
                Verdict s = stored.get();
                f = f.withAnalysis(s.analysisStage(), s.analysisState(), s.analysisReasons(), s.sha256());
            }
        } else {
            first = false;
            f = stored.get().withSighting(now, publishedAt);
        }
        Verdict v = decide(f, now);
        if (first || !v.equals(stored.get())) {
            store.putVerdictSoon(v);
            if (first && v.state() != VerdictState.ALLOWED) {
                LOG.info("{} first seen: {} ({})", c, v.state(), v.primaryReason().code());
            }
        }
        return v;
    }

    /** The facts of a version first named now. */
    private Verdict facts(PackageCoordinate c, Instant publishedAt, Instant now) {
        boolean hold = config.holdAlways() || publishedAt == null || publishedAt.isAfter(now.minus(holdWindow));
        return Verdict.firstSighting(c, now, publishedAt, hold);
    }

    /** The current verdict of one file of a version, without recording anything. */
    public Verdict evaluateFile(PackageCoordinate c, ArtifactFile file) {
        return decideFile(evaluate(c), file);
    }

    /** The current verdict of any version, seen or not, without recording anything. */
    public Verdict evaluate(PackageCoordinate c) {
        Instant now = clock.instant();
        return decide(store.verdict(c).orElseGet(() -> facts(c, null, now)), now);
    }

    /** Re-decides a verdict from its facts at {@code now}; keeps decidedAt when nothing changed. */
    Verdict decide(Verdict f, Instant now) {
        PackageCoordinate c = f.coordinate();
        Optional<AdminOverride> o = overrideFor(c);
        VerdictState state;
        List<Reason> reasons = new ArrayList<>();
        String by;
        if (o.isPresent()) {
            AdminOverride a = o.get();
            boolean allow = a.action() == OverrideAction.ALLOW;
            state = allow ? VerdictState.ALLOWED : VerdictState.BLOCKED;
            String scope = a.target().equals(c.toString()) ? "" : " (whole package)";
            reasons.add(Reason.of(allow ? "admin_allow" : "admin_block", ReasonSource.ADMIN,
                    (allow ? "allowed by admin" : "blocked by admin") + scope + ": " + a.reason()));
            by = "admin:" + a.by();
        } else {
            List<Reason> blocked = new ArrayList<>();
            List<Reason> quarantined = new ArrayList<>();
            List<Reason> pending = new ArrayList<>();
            String blockedBy = null;
            Optional<FeedRecord> mal = feed.match(c);
            if (mal.isPresent()) {
                FeedRecord r = mal.get();
                blocked.add(Reason.of("known_malware", ReasonSource.FEED, "known malware " + r.id()
                        + (r.summary() == null || r.summary().isBlank() ? "" : ": " + r.summary())));
                blockedBy = "feed:" + r.id();
            }
            Optional<NameRules.CompiledRule> deny = rules.denied(c);
            if (deny.isPresent()) {
                String why = deny.get().reason();
                blocked.add(Reason.of("denied_by_rule", ReasonSource.RULE, "denied by policy rule " + deny.get().describe()
                        + (why == null || why.isBlank() ? "" : ": " + why)));
                blockedBy = blockedBy == null ? "rule" : blockedBy;
            }
            Optional<NameRules.CompiledRule> allowRule = rules.allowed(c);
            boolean trusted = allowRule.isPresent();
            if (!trusted) {
                Optional<String> internal = rules.internal(c);
                if (internal.isPresent()) {
                    blocked.add(Reason.of("dependency_confusion", ReasonSource.RULE, c.name() + " matches internal names ("
                            + internal.get() + ") and is never taken from the public registry (dependency confusion)"));
                    blockedBy = blockedBy == null ? "rule" : blockedBy;
                }
            }
            if (f.analysisState() == VerdictState.BLOCKED) {
                blocked.addAll(f.analysisReasons());
                blockedBy = blockedBy == null ? "analysis" : blockedBy;
            } else if (f.analysisState() == VerdictState.QUARANTINED) {
                quarantined.addAll(f.analysisReasons());
            }
            if (!trusted && config.typosquat().enabled()) {
                typosquats.check(c.packageId()).ifPresent(m -> quarantined.add(Reason.of("typosquat", ReasonSource.RULE,
                        "name imitates the popular " + c.ecosystem().id() + " package '" + m.imitated() + "' ("
                                + m.how() + ")")));
            }
            if (!trusted && config.minimumAge() != null && !config.minimumAge().isZero()) {
                Instant since = f.publishedAt() != null ? f.publishedAt() : f.firstSeen() != null ? f.firstSeen() : now;
                if (since.plus(config.minimumAge()).isAfter(now)) {
                    pending.add(minimumAgeReason);
                }
            }
            outbreakHold.reason(f, now).ifPresent(pending::add);
            if (!trusted && f.analysisStage() != AnalysisStage.FULL && holdApplies(f, now)) {
                pending.add(!analysisRuns ? NO_SANDBOX : f.publishedAt() == null ? unknownPublishReason : pendingReason);
            }
            reasons.addAll(blocked);
            reasons.addAll(quarantined);
            reasons.addAll(pending);
            if (!blocked.isEmpty()) {
                state = VerdictState.BLOCKED;
                by = blockedBy;
            } else if (!quarantined.isEmpty()) {
                state = VerdictState.QUARANTINED;
                by = f.analysisState() == VerdictState.QUARANTINED ? "analysis" : "rule";
            } else if (!pending.isEmpty()) {
                state = VerdictState.PENDING;
                by = "hold";
            } else {
                state = VerdictState.ALLOWED;
                if (trusted) {
                    reasons.add(Reason.of("allowed_by_rule", ReasonSource.RULE, "allowed by policy rule "
                            + allowRule.get().describe()));
                    by = "rule";
                } else if (f.analysisState() == VerdictState.ALLOWED) {
                    reasons.addAll(f.analysisReasons());
                    by = "analysis";
                } else {
                    reasons.add(BEFORE_HOLD);
                    by = "rule";
                }
            }
        }
        boolean same = f.state() == state && codes(f.reasons()).equals(codes(reasons));
        Instant at = same && f.decidedAt() != null ? f.decidedAt() : now;
        String decidedBy = same && f.decidedBy() != null ? f.decidedBy() : by;
        return f.withDecision(state, reasons, at, decidedBy);
    }

    private boolean holdApplies(Verdict f, Instant now) {
        if (config.holdAlways()) {
            return f.holdRequired();
        }
        return f.publishedAt() == null || f.publishedAt().isAfter(now.minus(holdWindow));
    }

    private static List<String> codes(List<Reason> reasons) {
        return reasons.stream().map(Reason::code).toList();
    }

    private static String human(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }

    /** Only a plain analysis hold is worth waiting for: a rule or review will not clear in seconds. */
    private static boolean waitsForAnalysis(Verdict v) {
        return v.state() == VerdictState.PENDING && v.reasons().stream().allMatch(r -> r.code().equals("analysis_pending"));
    }

    /** Held until its full analysis, whether or not a sandbox runs right now. */
    private static boolean holdsForAnalysis(Verdict v) {
        return v.state() == VerdictState.PENDING && v.reasons().stream()
                .allMatch(r -> r.code().equals("analysis_pending") || r.code().equals(NO_SANDBOX_CODE));
    }

    /** The verdict as the proxy acts on it (audit mode serves everything and says what it would have done). */
    public Decision decisionFor(Verdict v) {
        Decision d;
        Reason r = v.primaryReason();
        switch (v.state()) {
            case ALLOWED -> d = Decision.allow();
            case BLOCKED -> d = Decision.hide(r.code(), r.code().equals("admin_block")
                    ? "Blocked by admin" + r.message().substring("blocked by admin".length())
                    : "Blocked: " + r.message());
            case QUARANTINED -> d = Decision.hide(r.code(), "Quarantined: " + r.message());
            case PENDING -> d = r.code().equals("analysis_pending")
                    ? Decision.hold(PENDING_CODE, PENDING_MESSAGE, PENDING_RETRY_SECONDS)
                    : r.code().equals(NO_SANDBOX_CODE)
                    ? Decision.hold(NO_SANDBOX_CODE, NO_SANDBOX_MESSAGE, PENDING_RETRY_SECONDS)
                    : Decision.hold(r.code(), "Held: " + r.message(), PENDING_RETRY_SECONDS);
            default -> throw new AssertionError(v.state());
        }
        return audited(d, v.coordinate());
    }

    private Decision audited(Decision d, PackageCoordinate c) {
        if (!audit || d.serve()) {
            return d;
        }
        LOG.info("audit mode: would refuse {}: {} ({})", c, d.message(), d.code());
        return new Decision(true, "audit_" + d.code(), "Audit: would refuse: " + d.message(), 0);
    }

    // ---------------------------------------------------------------- holds

    private CompletableFuture<Decision> await(PackageCoordinate c, ArtifactFile file, long deadlineNanos) {
        CompletableFuture<Boolean> signal = new CompletableFuture<>();
        Set<CompletableFuture<Boolean>> set = waiters.computeIfAbsent(c.packageId(), k -> ConcurrentHashMap.newKeySet());
        set.add(signal);
        // Checked after registering so that a result arriving in between is not missed.
        Verdict v = evaluateFile(c, file);
        long remaining = deadlineNanos - System.nanoTime();
        if (!waitsForAnalysis(v) || remaining <= 0) {
            set.remove(signal);
            return CompletableFuture.completedFuture(decisionFor(v));
        }
        return signal.completeOnTimeout(Boolean.FALSE, remaining, TimeUnit.NANOSECONDS).thenCompose(changed -> {
            set.remove(signal);
            if (Boolean.TRUE.equals(changed)) {
                return await(c, file, deadlineNanos);
            }
            return CompletableFuture.completedFuture(decisionFor(evaluateFile(c, file)));
        });
    }

    /** Wakes downloads waiting on versions of this package and re-decides its stored verdicts. */
    void signal(PackageId id) {
        Set<CompletableFuture<Boolean>> set = waiters.get(id);
        if (set != null) {
            for (CompletableFuture<Boolean> f : set) {
                f.complete(Boolean.TRUE);
            }
        }
    }

    /** Number of downloads waiting for an analysis right now. */
    public int waitingDownloads() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    // ---------------------------------------------------------------- overrides (used by PolicyAdmin)

    Optional<AdminOverride> overrideFor(PackageCoordinate c) {
        Instant now = clock.instant();
        AdminOverride v = overrides.get(c.toString());
        if (v != null && v.activeAt(now)) {
            return Optional.of(v);
        }
        AdminOverride p = overrides.get(c.packageId().toString());
        if (p != null && p.activeAt(now)) {
            return Optional.of(p);
        }
        return Optional.empty();
    }

    Map<String, AdminOverride> overrides() {
        return overrides;
    }

    OutbreakHold outbreakHold() {
        return outbreakHold;
    }

    /** Re-decides the stored verdicts of a package (after an override or feed change) and commits them. */
    List<Verdict> refresh(PackageId id, Set<PackageCoordinate> alsoRecord) {
        Instant now = clock.instant();
        List<Verdict> changed = new ArrayList<>();
        Map<PackageCoordinate, Verdict> stored = new LinkedHashMap<>();
        for (Verdict v : store.verdicts(id)) {
            stored.put(v.coordinate(), v);
        }
        for (PackageCoordinate c : alsoRecord) {
            if (c.packageId().equals(id) && !stored.containsKey(c)) {
                // Known only from a feed: kept without a first-seen time so it shows in the API by state.
                stored.put(c, new Verdict(c, VerdictState.PENDING, List.of(), now, "feed", null, null, false,
                        AnalysisStage.NONE, null, List.of(), null, List.of()));
            }
        }
        for (Map.Entry<PackageCoordinate, Verdict> e : stored.entrySet()) {
            synchronized (stripe(e.getKey())) {
                // Re-read under the stripe: a result may have landed since the scan above.
                Verdict v = store.verdict(e.getKey()).filter(x -> x.firstSeen() != null).orElse(e.getValue());
                Verdict d = decide(v, now);
                if (!d.equals(v)) {
                    // Derived from facts that are already committed (the override, the feed): the group commit suffices.
                    store.putVerdictSoon(d);
                    changed.add(d);
                }
            }
        }
        signal(id);
        return changed;
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

    // ---------------------------------------------------------------- npm audit

    /**
     * Airlock's blocked versions among those asked about, as npm bulk-advisory entries
     * ({@code POST /-/npm/v1/security/advisories/bulk}): body {@code {name: [versions]}}, answer
     * {@code {name: [{id, url, title, severity, vulnerable_versions, cwe}]}}. Names that are not
     * valid npm names are skipped.
     */
    public Map<String, List<Map<String, Object>>> advisories(Map<String, List<String>> bulkRequest) {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        if (bulkRequest == null) {
            return out;
        }
        for (Map.Entry<String, List<String>> e : bulkRequest.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            for (String version : e.getValue()) {
                PackageCoordinate c;
                try {
                    c = new PackageCoordinate(Ecosystem.NPM, e.getKey(), version);
                } catch (IllegalArgumentException ex) {
                    continue;
                }
                Verdict v = evaluate(c);
                if (v.state() != VerdictState.BLOCKED) {
                    continue;
                }
                Reason r = v.primaryReason();
                Map<String, Object> adv = new LinkedHashMap<>();
                adv.put("id", advisoryId(c));
                adv.put("url", publicBase + "api/v1/packages/npm/" + c.name() + "/" + c.version());
                adv.put("title", "Blocked by Airlock: " + r.message());
                adv.put("severity", "critical");
                adv.put("vulnerable_versions", c.version());
                adv.put("cwe", List.of(cwe(r.code())));
                out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(adv);
            }
        }
        return out;
    }

    /** A stable positive number per version: npm keys advisories by id. */
    private static long advisoryId(PackageCoordinate c) {
        long h = 1125899906842597L;
        for (char ch : c.toString().toCharArray()) {
            h = 31 * h + ch;
        }
        return 900_000_000L + Math.floorMod(h, 100_000_000L);
    }

    private static String cwe(String code) {
        return switch (code) {
            case "dependency_confusion" -> "CWE-427";
            case "typosquat", "admin_block", "denied_by_rule" -> "CWE-1357";
            default -> "CWE-506";
        };
    }

    @Override
    public void close() {
        staticRuns.close();
        probeTimer.shutdownNow();
        for (Set<CompletableFuture<Boolean>> set : waiters.values()) {
            for (CompletableFuture<Boolean> f : set) {
                f.complete(Boolean.FALSE);
            }
        }
    }
}
