package dev.airlock.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.store.VerdictStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records that a version was named (first seen, publish time) and answers its current verdict.
 * The serving path asks for the same versions again and again, so a verdict just worked out is
 * reused while the store is unchanged; a changed verdict is group-committed, so the serving path
 * never waits for a disk sync. A version first held for analysis is handed to the queue.
 */
final class Sightings {
    private static final Logger LOG = LoggerFactory.getLogger(Sightings.class);
    /** Time-driven changes (a hold or minimum age running out, an override expiring) show within this, by the gate's clock. */
    private static final long REUSE_MILLIS = 2_000;

    private final VerdictStore store;
    private final VerdictDecider decider;
    private final VerdictLocks locks;
    private final BackgroundSubmissions queue;
    private final Clock clock;
    private final Cache<PackageCoordinate, Sighted> recent = Caffeine.newBuilder().maximumSize(200_000)
            .expireAfterWrite(Duration.ofSeconds(10)).build();
    /** File jobs already handed to the queue, so a page listed again and again does not ask it each time. */
    private final Cache<String, Boolean> fileSubmitted = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    Sightings(VerdictStore store, VerdictDecider decider, VerdictLocks locks, BackgroundSubmissions queue, Clock clock) {
        this.store = store;
        this.decider = decider;
        this.locks = locks;
        this.queue = queue;
        this.clock = clock;
    }

    /** A verdict worked out at {@code at} (the gate's clock) when the store had this change count. */
    private record Sighted(long generation, long at, Verdict verdict) {
    }

    /** Records a sighting ({@code publishedAt} null: not known here) and returns the current verdict. */
    Verdict sight(PackageCoordinate c, Instant publishedAt) {
        long generation = store.generation();
        long now = clock.millis();
        Sighted r = recent.getIfPresent(c);
        if (r != null && r.generation() == generation && now >= r.at() && now - r.at() < REUSE_MILLIS
                && (publishedAt == null || r.verdict().publishedAt() != null)) {
            return r.verdict();
        }
        Verdict v = sightNow(c, publishedAt);
        recent.put(c, new Sighted(generation, now, v));
        return v;
    }

    /** Hands one file of a version to the queue, once per minute at most however often it is listed. */
    void submitFileOnce(PackageCoordinate c, ArtifactFile file, AnalysisPriority priority) {
        if (fileSubmitted.asMap().putIfAbsent(c + "|" + file.name(), Boolean.TRUE) == null) {
            queue.submit(c, file, priority);
        }
    }

    private Verdict sightNow(PackageCoordinate c, Instant publishedAt) {
        Verdict v;
        boolean first;
        synchronized (locks.of(c)) {
            Optional<Verdict> stored = store.verdict(c);
            first = stored.isEmpty() || stored.get().firstSeen() == null;
            v = sightLocked(c, publishedAt, stored);
        }
        // Also when a rule hides it for another reason (a look-alike name): the reviewer wants the findings.
        if (first && v.reasons().stream().anyMatch(r -> r.code().equals("analysis_pending"))) {
            queue.submit(c, null, AnalysisPriority.NEW_VERSION);
        }
        return v;
    }

    private Verdict sightLocked(PackageCoordinate c, Instant publishedAt, Optional<Verdict> stored) {
        Instant now = clock.instant();
        Verdict f;
        boolean first = stored.isEmpty() || stored.get().firstSeen() == null;
        if (first) {
            f = decider.firstSighting(c, publishedAt, now);
            if (stored.isPresent()) {
                Verdict s = stored.get();
                f = f.withAnalysis(s.analysisStage(), s.analysisState(), s.analysisReasons(), s.sha256());
            }
        } else {
            f = stored.get().withSighting(now, publishedAt);
        }
        Verdict v = decider.decide(f, now);
        if (first || !v.equals(stored.get())) {
            store.putVerdictSoon(v);
            if (first && v.state() != VerdictState.ALLOWED) {
                LOG.info("{} first seen: {} ({})", c, v.state(), v.primaryReason().code());
            }
        }
        return v;
    }
}
