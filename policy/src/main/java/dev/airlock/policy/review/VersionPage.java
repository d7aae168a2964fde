package dev.airlock.policy.review;

import dev.airlock.policy.Verdict;
import java.util.List;

/**
 * One page of a listing.
 *
 * @param total    how many versions the query selects in all
 * @param offset   the position of the first version of this page in the sorted selection
 * @param versions the versions of this page, decided now
 */
public record VersionPage(int total, int offset, List<Verdict> versions) {
    public VersionPage {
        versions = List.copyOf(versions);
    }

    /** The offset of the next page, or null on the last one. */
    public Integer next() {
        int n = offset + versions.size();
        return n < total ? n : null;
    }
}
