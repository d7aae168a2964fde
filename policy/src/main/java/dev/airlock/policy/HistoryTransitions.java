package dev.airlock.policy;

import dev.airlock.policy.review.OverviewHistory;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Turns verdict changes into the overview's counters: verdicts reached by state, refusals by
 * reason code, and the time from first sight to the verdict of each version that was held.
 */
final class HistoryTransitions implements BiConsumer<Verdict, Verdict> {
    private final OverviewHistory history;

    HistoryTransitions(OverviewHistory history) {
        this.history = history;
    }

    @Override
    public void accept(Verdict before, Verdict after) {
        if (before != null && before.state() == after.state()) {
            return;
        }
        history.count("decided." + after.state().id(), 1);
        if (after.state() == VerdictState.BLOCKED || after.state() == VerdictState.QUARANTINED) {
            history.count("refused." + after.primaryReason().code(), 1);
        }
        if (before != null && before.state() == VerdictState.PENDING && after.state() != VerdictState.PENDING
                && after.firstSeen() != null && after.decidedAt() != null) {
            history.timeToVerdict(Duration.between(after.firstSeen(), after.decidedAt()));
        }
    }
}
