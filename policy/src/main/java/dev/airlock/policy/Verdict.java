package dev.airlock.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.airlock.model.PackageCoordinate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What Airlock knows and decided about one version. The store keeps one per coordinate; the
 * state and reasons are the outcome of the last evaluation, the other fields are the facts it
 * was evaluated from.
 *
 * @param coordinate     ecosystem, normalised name and version
 * @param state          allowed, blocked, quarantined or pending
 * @param reasons        why; never empty
 * @param decidedAt      when the state was last reached
 * @param decidedBy      what decided: {@code rule}, {@code analysis}, {@code feed:<id>}, {@code admin:<identity>}, {@code hold}
 * @param firstSeen      when metadata or a download first named this version (null: only known from a feed)
 * @param publishedAt    the registry's publish time (null: unknown)
 * @param holdRequired   decided at first sighting: the version must wait for its full analysis
 * @param analysisStage  how far the analysis got
 * @param analysisState  the state the analysis asked for (null until it spoke)
 * @param analysisReasons the analysis' reasons (findings that matter)
 * @param sha256         digest of the artifact the analysis looked at, when known
 */
public record Verdict(PackageCoordinate coordinate, VerdictState state, List<Reason> reasons, Instant decidedAt,
                      String decidedBy, Instant firstSeen, Instant publishedAt, boolean holdRequired,
                      AnalysisStage analysisStage, VerdictState analysisState, List<Reason> analysisReasons,
                      String sha256) {
    public Verdict {
        Objects.requireNonNull(coordinate, "coordinate");
        Objects.requireNonNull(state, "state");
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        analysisStage = analysisStage == null ? AnalysisStage.NONE : analysisStage;
        analysisReasons = analysisReasons == null ? List.of() : List.copyOf(analysisReasons);
    }

    /** A version just named for the first time, before any evaluation. */
    public static Verdict firstSighting(PackageCoordinate c, Instant now, Instant publishedAt, boolean holdRequired) {
        return new Verdict(c, VerdictState.PENDING, List.of(), now, "hold", now, publishedAt, holdRequired,
                AnalysisStage.NONE, null, List.of(), null);
    }

    public Verdict withDecision(VerdictState s, List<Reason> r, Instant at, String by) {
        return new Verdict(coordinate, s, r, at, by, firstSeen, publishedAt, holdRequired, analysisStage, analysisState,
                analysisReasons, sha256);
    }

    public Verdict withSighting(Instant seen, Instant published) {
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen == null ? seen : firstSeen,
                publishedAt == null ? published : publishedAt, holdRequired, analysisStage, analysisState,
                analysisReasons, sha256);
    }

    public Verdict withAnalysis(AnalysisStage stage, VerdictState s, List<Reason> r, String digest) {
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen, publishedAt, holdRequired,
                stage, s, r, digest == null ? sha256 : digest);
    }

    /** The first reason: the one a developer sees. */
    @JsonIgnore
    public Reason primaryReason() {
        return reasons.isEmpty() ? Reason.of("allowed", ReasonSource.RULE, "allowed") : reasons.get(0);
    }
}
