package dev.airlock.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * @param analysisStage  how far the analysis got (of every file: the least advanced one)
 * @param analysisState  the state the analysis asked for (the worst file's; null until it spoke)
 * @param analysisReasons the analysis' reasons (findings that matter)
 * @param sha256         digest of the artifact the analysis looked at (the worst file's), when known
 * @param files          the analysis of each file, in the order they were first analysed; empty for a
 *                       version analysed as a whole (its one artifact, before per-file analysis)
 */
public record Verdict(PackageCoordinate coordinate, VerdictState state, List<Reason> reasons, Instant decidedAt,
                      String decidedBy, Instant firstSeen, Instant publishedAt, boolean holdRequired,
                      AnalysisStage analysisStage, VerdictState analysisState, List<Reason> analysisReasons,
                      String sha256, List<FileAnalysis> files) {
    public Verdict {
        Objects.requireNonNull(coordinate, "coordinate");
        Objects.requireNonNull(state, "state");
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        analysisStage = analysisStage == null ? AnalysisStage.NONE : analysisStage;
        analysisReasons = analysisReasons == null ? List.of() : List.copyOf(analysisReasons);
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** A version just named for the first time, before any evaluation. */
    public static Verdict firstSighting(PackageCoordinate c, Instant now, Instant publishedAt, boolean holdRequired) {
        return new Verdict(c, VerdictState.PENDING, List.of(), now, "hold", now, publishedAt, holdRequired,
                AnalysisStage.NONE, null, List.of(), null, List.of());
    }

    public Verdict withDecision(VerdictState s, List<Reason> r, Instant at, String by) {
        return new Verdict(coordinate, s, r, at, by, firstSeen, publishedAt, holdRequired, analysisStage, analysisState,
                analysisReasons, sha256, files);
    }

    public Verdict withSighting(Instant seen, Instant published) {
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen == null ? seen : firstSeen,
                publishedAt == null ? published : publishedAt, holdRequired, analysisStage, analysisState,
                analysisReasons, sha256, files);
    }

    /** The analysis of the version as a whole (one artifact, no file named). */
    public Verdict withAnalysis(AnalysisStage stage, VerdictState s, List<Reason> r, String digest) {
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen, publishedAt, holdRequired,
                stage, s, r, digest == null ? sha256 : digest, files);
    }

    /**
     * With one file's analysis recorded (replacing an earlier one of the same file, except that a
     * full analysis is never replaced by a static one of the same bytes), and the version's analysis
     * recomputed as the worst of its files'.
     */
    public Verdict withFileAnalysis(FileAnalysis analysis) {
        List<FileAnalysis> next = new ArrayList<>();
        boolean replaced = false;
        for (FileAnalysis f : files) {
            if (f.file().equals(analysis.file())) {
                boolean downgrade = f.stage() == AnalysisStage.FULL && analysis.stage() != AnalysisStage.FULL
                        && Objects.equals(f.sha256(), analysis.sha256());
                next.add(downgrade ? f : analysis);
                replaced = true;
            } else {
                next.add(f);
            }
        }
        if (!replaced) {
            next.add(analysis);
        }
        FileAnalysis worst = null;
        AnalysisStage least = AnalysisStage.FULL;
        for (FileAnalysis f : next) {
            if (worst == null || FileAnalysis.badness(f.state()) > FileAnalysis.badness(worst.state())) {
                worst = f;
            }
            if (f.stage().compareTo(least) < 0) {
                least = f.stage();
            }
        }
        List<Reason> why = new ArrayList<>();
        for (Reason r : worst.reasons()) {
            why.add(next.size() == 1 ? r : new Reason(r.code(), worst.file() + ": " + r.message(), r.source()));
        }
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen, publishedAt, holdRequired,
                least, worst.state(), why, worst.sha256(), next);
    }

    /** The recorded analysis of a file, unless the registry now names different bytes under its name. */
    public Optional<FileAnalysis> file(ArtifactFile file) {
        for (FileAnalysis f : files) {
            if (f.file().equals(file.name())) {
                boolean sameBytes = file.sha256() == null || f.sha256() == null || f.sha256().equalsIgnoreCase(file.sha256());
                return sameBytes ? Optional.of(f) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The facts as they apply to one file: its own analysis, and its own upload time for the hold,
     * so that a file added to an old release waits like a new version. A version analysed as a whole
     * (no files recorded) answers for each of its files.
     */
    public Verdict forFile(ArtifactFile file) {
        if (file == null || (files.isEmpty() && analysisStage != AnalysisStage.NONE)) {
            return this;
        }
        Optional<FileAnalysis> mine = file(file);
        Instant published = file.uploadedAt() != null ? file.uploadedAt() : publishedAt;
        boolean addedLater = firstSeen != null && file.uploadedAt() != null && file.uploadedAt().isAfter(firstSeen);
        return new Verdict(coordinate, state, reasons, decidedAt, decidedBy, firstSeen, published,
                holdRequired || addedLater,
                mine.map(FileAnalysis::stage).orElse(AnalysisStage.NONE), mine.map(FileAnalysis::state).orElse(null),
                mine.map(FileAnalysis::reasons).orElse(List.of()), mine.map(FileAnalysis::sha256).orElse(null), files);
    }

    /** The first reason: the one a developer sees. */
    @JsonIgnore
    public Reason primaryReason() {
        return reasons.isEmpty() ? Reason.of("allowed", ReasonSource.RULE, "allowed") : reasons.get(0);
    }
}
