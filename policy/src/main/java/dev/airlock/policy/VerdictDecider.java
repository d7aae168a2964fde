package dev.airlock.policy;

import dev.airlock.config.PolicyConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.feed.FeedRecord;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.rules.NameRules;
import dev.airlock.policy.rules.TyposquatDetector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The decision itself: from a version's facts (first sighting, publish time, analysis results)
 * and what is configured or imported (overrides, the malware feed, name rules, look-alike
 * names), its state and every reason for it. Writes nothing.
 *
 * <p>Order of precedence: an admin override decides alone; otherwise every applicable reason is
 * collected and the most severe state wins (blocked, then quarantined, then pending).
 */
final class VerdictDecider {
    static final String NO_SANDBOX_CODE = "sandbox_unavailable";
    private static final Reason NO_SANDBOX = Reason.of(NO_SANDBOX_CODE, ReasonSource.RULE,
            "analysis pending (sandbox unavailable)");
    private static final Reason BEFORE_HOLD = Reason.of("published_before_hold", ReasonSource.RULE,
            "published before the hold window; static check on first download");

    private final PolicyConfig config;
    private final NameRules rules;
    private final TyposquatDetector typosquats;
    private final MalwareFeed feed;
    private final Overrides overrides;
    private final BooleanSupplier analysisRuns;
    private final Duration holdWindow;
    private final Reason pendingReason;
    private final Reason unknownPublishReason;
    private final Reason minimumAgeReason;
    private final OutbreakHold outbreakHold;

    VerdictDecider(PolicyConfig config, NameRules rules, TyposquatDetector typosquats, MalwareFeed feed,
                   Overrides overrides, BooleanSupplier analysisRuns, OutbreakHold outbreakHold) {
        this.config = config;
        this.rules = rules;
        this.typosquats = typosquats;
        this.feed = feed;
        this.overrides = overrides;
        this.analysisRuns = analysisRuns;
        this.outbreakHold = outbreakHold;
        this.holdWindow = config.holdWindow();
        this.pendingReason = Reason.of("analysis_pending", ReasonSource.RULE, config.holdAlways()
                ? "new version: analysis pending" : "published less than " + human(holdWindow) + " ago: analysis pending");
        this.unknownPublishReason = Reason.of("analysis_pending", ReasonSource.RULE,
                "new version (publish time unknown): analysis pending");
        this.minimumAgeReason = config.minimumAge() == null ? null : Reason.of("minimum_age", ReasonSource.RULE,
                "published less than " + human(config.minimumAge()) + " ago (minimum age)");
    }

    /** The facts of a version first named now. */
    Verdict firstSighting(PackageCoordinate c, Instant publishedAt, Instant now) {
        boolean hold = config.holdAlways() || publishedAt == null || publishedAt.isAfter(now.minus(holdWindow));
        return Verdict.firstSighting(c, now, publishedAt, hold);
    }

    /** The verdict that applies to one file of the version: the version's, with the file's own analysis and hold. */
    Verdict decideFile(Verdict version, ArtifactFile file, Instant now) {
        return file == null ? version : decide(version.forFile(file), now);
    }

    /** True when a rule or an admin vouches for the version, so no static check is due. */
    boolean vouchedFor(PackageCoordinate c) {
        return rules.allowed(c).isPresent() || overrides.activeFor(c).isPresent();
    }

    /** Re-decides a verdict from its facts at {@code now}; keeps decidedAt when nothing changed. */
    Verdict decide(Verdict f, Instant now) {
        Optional<AdminOverride> o = overrides.activeFor(f.coordinate());
        Outcome out = o.isPresent() ? byAdmin(f.coordinate(), o.get()) : byRules(f, now);
        boolean same = f.state() == out.state && codes(f.reasons()).equals(codes(out.reasons));
        Instant at = same && f.decidedAt() != null ? f.decidedAt() : now;
        String decidedBy = same && f.decidedBy() != null ? f.decidedBy() : out.by;
        return f.withDecision(out.state, out.reasons, at, decidedBy);
    }

    private record Outcome(VerdictState state, List<Reason> reasons, String by) {
    }

    private static Outcome byAdmin(PackageCoordinate c, AdminOverride a) {
        boolean allow = a.action() == OverrideAction.ALLOW;
        Reason r = Reason.of(allow ? "admin_allow" : "admin_block", ReasonSource.ADMIN,
                (allow ? "allowed by admin" : "blocked by admin") + Overrides.scope(a, c) + ": " + a.reason());
        return new Outcome(allow ? VerdictState.ALLOWED : VerdictState.BLOCKED, List.of(r), "admin:" + a.by());
    }

    private Outcome byRules(Verdict f, Instant now) {
        PackageCoordinate c = f.coordinate();
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
            pending.add(!analysisRuns.getAsBoolean() ? NO_SANDBOX
                    : f.publishedAt() == null ? unknownPublishReason : pendingReason);
        }
        List<Reason> reasons = new ArrayList<>(blocked);
        reasons.addAll(quarantined);
        reasons.addAll(pending);
        if (!blocked.isEmpty()) {
            return new Outcome(VerdictState.BLOCKED, reasons, blockedBy);
        }
        if (!quarantined.isEmpty()) {
            return new Outcome(VerdictState.QUARANTINED, reasons,
                    f.analysisState() == VerdictState.QUARANTINED ? "analysis" : "rule");
        }
        if (!pending.isEmpty()) {
            return new Outcome(VerdictState.PENDING, reasons, "hold");
        }
        if (trusted) {
            reasons.add(Reason.of("allowed_by_rule", ReasonSource.RULE, "allowed by policy rule "
                    + allowRule.get().describe()));
            return new Outcome(VerdictState.ALLOWED, reasons, "rule");
        }
        if (f.analysisState() == VerdictState.ALLOWED) {
            reasons.addAll(f.analysisReasons());
            return new Outcome(VerdictState.ALLOWED, reasons, "analysis");
        }
        reasons.add(BEFORE_HOLD);
        return new Outcome(VerdictState.ALLOWED, reasons, "rule");
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
}
