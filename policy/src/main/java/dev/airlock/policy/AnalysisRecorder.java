package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.store.VerdictStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Writes analysis results (static or full, of a version or one of its files) into the stored
 * verdict, re-decides it, audits a change of state and wakes the downloads waiting on it.
 */
final class AnalysisRecorder {
    private static final Pattern SNAKE = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final int MAX_REASONS = 5;

    private final VerdictStore store;
    private final VerdictDecider decider;
    private final VerdictLocks locks;
    private final Clock clock;
    private final Consumer<AuditEntry> audit;
    private final Consumer<PackageId> changed;

    /**
     * @param audit   appends an audit line; must not throw
     * @param changed told after a result of the package was recorded
     */
    AnalysisRecorder(VerdictStore store, VerdictDecider decider, VerdictLocks locks, Clock clock,
                     Consumer<AuditEntry> audit, Consumer<PackageId> changed) {
        this.store = store;
        this.decider = decider;
        this.locks = locks;
        this.clock = clock;
        this.audit = audit;
        this.changed = changed;
    }

    /** {@code file} null: the version as a whole. A static result never replaces a full one. */
    void record(PackageCoordinate c, ArtifactFile file, AnalysisResult result, AnalysisStage stage, String sha256) {
        Instant now = clock.instant();
        VerdictState state = switch (result.recommendation()) {
            case MALICIOUS -> VerdictState.BLOCKED;
            case SUSPICIOUS -> VerdictState.QUARANTINED;
            case CLEAN -> VerdictState.ALLOWED;
        };
        Verdict[] was = new Verdict[1];
        Verdict after;
        synchronized (locks.of(c)) {
            // Read and written as one step on the store: with a shared store another node may be
            // recording another file of the same version at the same moment.
            // A static result is group-committed on the embedded store: a download waits for this
            // write, and one disk sync per first download serialised a cold install of a tree behind
            // the store. A static result lost to a crash only means the next download checks the
            // file again: never a wrong serve.
            java.util.function.Function<java.util.Optional<Verdict>, Verdict> change = stored -> {
                Verdict before = stored.orElseGet(() -> decider.firstSighting(c, null, now));
                was[0] = before;
                List<Reason> why = reasons(result, state);
                Verdict facts;
                if (file == null) {
                    if (stage == AnalysisStage.STATIC && before.analysisStage() == AnalysisStage.FULL) {
                        return null;
                    }
                    facts = before.withAnalysis(stage, state, why, sha256);
                } else {
                    facts = before.withFileAnalysis(new FileAnalysis(file.name(), sha256 != null ? sha256 : file.sha256(),
                            file.uploadedAt(), stage, state, why, now));
                }
                return decider.decide(facts, now);
            };
            after = stage == AnalysisStage.STATIC ? store.updateVerdictSoon(c, change) : store.updateVerdict(c, change);
        }
        if (after == null) {
            return;
        }
        Verdict before = was[0];
        if (after.state() != before.state()) {
            audit.accept(new AuditEntry(0, now, "analysis", "analysis_" + stage.name().toLowerCase(Locale.ROOT),
                    c + (file == null ? "" : " " + file.name()),
                    before.firstSeen() == null && before.reasons().isEmpty() ? null : before.state().id(),
                    after.state().id(), after.primaryReason().message()));
        }
        changed.accept(c.packageId());
    }

    /** Whether the verdict lacks this full analysis (a crash came between the queue's commit and ours). */
    boolean lacksFullAnalysis(PackageCoordinate c, ArtifactFile file) {
        Optional<Verdict> v = store.verdict(c);
        if (v.isEmpty()) {
            return true;
        }
        if (file == null) {
            return v.get().analysisStage() != AnalysisStage.FULL;
        }
        return v.get().file(file).map(f -> f.stage() != AnalysisStage.FULL).orElse(true);
    }

    /** The most severe findings as reasons (at most five; low ones only when nothing worse was found). */
    private static List<Reason> reasons(AnalysisResult result, VerdictState state) {
        if (state == VerdictState.ALLOWED) {
            return List.of(Reason.of("analysis_clean", ReasonSource.ANALYSIS, "analysis found nothing worrying"));
        }
        List<Finding> findings = new ArrayList<>(result.findings());
        findings.sort((a, b) -> Integer.compare(severity(b.severity()), severity(a.severity())));
        List<Reason> out = new ArrayList<>();
        for (Finding f : findings) {
            if (out.size() >= MAX_REASONS || severity(f.severity()) < 2 && !out.isEmpty()) {
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
}
