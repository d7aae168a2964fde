package dev.airlock.policy.review;

import java.util.List;

/**
 * What a bulk action did.
 *
 * @param action    allow, block or reanalyze
 * @param selection the query, as {@code --where} text
 * @param count     how many versions it touched (one audit line each)
 * @param versions  the first touched versions ({@code ecosystem:name@version}), at most 100
 * @param firstAudit the sequence of the first audit line written (null when none)
 * @param lastAudit  the sequence of the last one
 */
public record BulkResult(String action, String selection, int count, List<String> versions, Long firstAudit,
                         Long lastAudit) {
    public BulkResult {
        versions = List.copyOf(versions);
    }
}
