package dev.airlock.policy.review;

import java.time.Instant;
import java.util.List;

/**
 * One analysis a version had, kept after a re-analysis replaced it.
 *
 * @param at             when the result was recorded
 * @param file           the file analysed (null: the version as a whole)
 * @param recommendation clean, suspicious or malicious
 * @param stateAfter     the version's state once the result was recorded
 * @param rules          the finding rules, most severe first
 * @param findingCount   how many findings
 * @param sha256         the bytes analysed
 * @param sandbox        whether the sandbox ran
 * @param staticMs       static analysis time
 * @param dynamicMs      sandbox time
 * @param reanalysis     whether an admin asked for this run
 */
public record AnalysisRecord(Instant at, String file, String recommendation, String stateAfter, List<String> rules,
                             int findingCount, String sha256, boolean sandbox, long staticMs, long dynamicMs,
                             boolean reanalysis) {
    public AnalysisRecord {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }
}
