package dev.airlock.policy.store.pg;

/**
 * The reconcile's window over the store's revision sequence. Revisions are taken when a row is
 * written but become visible when its transaction commits, so a lower one can appear after a
 * higher one was read; the window therefore starts where the round before the last one ended,
 * and a write whose transaction stays open longer than one reconcile interval is left to its
 * notification.
 */
final class Revisions {
    private long from;
    private long seenLastRound;

    /** Where this round reads from (exclusive). */
    synchronized long from() {
        return from;
    }

    /** A round read up to {@code highest}: the next starts at what the previous round saw. */
    synchronized void roundDone(long highest) {
        from = seenLastRound;
        seenLastRound = Math.max(seenLastRound, highest);
    }
}
