package dev.airlock.analysis.queue;

import dev.airlock.analysis.InfrastructureFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent infrastructure failures, for the status view, and the last one of each job that is
 * still waiting, for the version page. Bounded: an engine that stays down for a week must not
 * grow it. Both queues, embedded and shared, count failures and back off from them here.
 */
final class FailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);
    /** The longest wait before a failed job runs again. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final int RECENT = 200;
    private final Deque<InfrastructureFailure> recent = new ArrayDeque<>();
    private final Map<String, InfrastructureFailure> lastByJob = new ConcurrentHashMap<>();
    private final Map<String, Long> countsByCause = new TreeMap<>();

    synchronized void add(InfrastructureFailure f) {
        recent.addFirst(f);
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
        lastByJob.put(f.job(), f);
        countsByCause.merge(f.cause(), 1L, Long::sum);
    }

    /** Records the job's next failed attempt and tells {@code listener} (metrics: a side path, its failure is only logged). */
    void record(String job, String cause, String detail, Consumer<InfrastructureFailure> listener) {
        InfrastructureFailure f = new InfrastructureFailure(Instant.now(), job, cause, detail, attempts(job) + 1);
        add(f);
        try {
            listener.accept(f);
        } catch (RuntimeException e) {
            LOG.warn("infrastructure failure listener failed (ignored): {}", e.toString());
        }
    }

    /** How long the job waits before it runs again: {@code first}, doubled per recorded failure, at most {@link #MAX_BACKOFF}. */
    Duration backoff(String job, Duration first) {
        int attempt = attempts(job);
        return Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), first.toMillis() << Math.min(20, Math.max(0, attempt - 1))));
    }

    /** The job ran after all: its old failure no longer describes it. */
    void cleared(String job) {
        lastByJob.remove(job);
    }

    int attempts(String job) {
        InfrastructureFailure f = lastByJob.get(job);
        return f == null ? 0 : f.attempt();
    }

    synchronized List<InfrastructureFailure> recent(int limit) {
        List<InfrastructureFailure> out = new ArrayList<>();
        for (InfrastructureFailure f : recent) {
            if (out.size() >= limit) {
                break;
            }
            out.add(f);
        }
        return out;
    }

    /** The last failure of a job of this version (or of one of its files) that has not run since. */
    Optional<InfrastructureFailure> lastFor(String versionKey) {
        InfrastructureFailure best = null;
        for (InfrastructureFailure f : lastByJob.values()) {
            if ((f.job().equals(versionKey) || f.job().startsWith(versionKey + Job.SEPARATOR))
                    && (best == null || f.at().isAfter(best.at()))) {
                best = f;
            }
        }
        return Optional.ofNullable(best);
    }

    synchronized Map<String, Long> countsByCause() {
        return new TreeMap<>(countsByCause);
    }
}
