package dev.airlock.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the analysis said about one file of a version. A version's analysis is the worst of its
 * files'; a download is judged by the file it asks for.
 *
 * @param file       the file name
 * @param sha256     digest of the bytes analysed
 * @param uploadedAt the registry's upload time of the file (null: unknown)
 * @param stage      how far its analysis got (never NONE: a file without analysis has no entry)
 * @param state      allowed, quarantined or blocked, as the analysis asked
 * @param reasons    the analysis' reasons (findings that matter)
 * @param analyzedAt when the result was recorded
 */
public record FileAnalysis(String file, String sha256, Instant uploadedAt, AnalysisStage stage, VerdictState state,
                           List<Reason> reasons, Instant analyzedAt) {
    public FileAnalysis {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(state, "state");
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** Worse first: blocked, quarantined, then allowed. */
    static int badness(VerdictState s) {
        if (s == null) {
            return 0;
        }
        return switch (s) {
            case BLOCKED -> 3;
            case QUARANTINED -> 2;
            case PENDING -> 1;
            case ALLOWED -> 0;
        };
    }
}
