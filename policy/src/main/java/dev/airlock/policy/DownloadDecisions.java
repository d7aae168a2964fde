package dev.airlock.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The answers to recent downloads of a file, reused while nothing they depend on can have changed:
 * the store is at the same change count (no verdict, override, feed record or sandbox state changed)
 * and less than {@link #REUSE_MILLIS} passed, so a hold, a minimum age or an override running out
 * by the clock shows within that, as {@link Sightings} promises for verdicts. A cached tarball is
 * downloaded thousands of times a second; each download used to re-decide the version and its file
 * (overrides, feed, name rules, look-alike names) twice, before and after the fetch.
 *
 * <p>Only final answers are kept: a download that waits for an analysis or a static check is never
 * answered from here.
 */
final class DownloadDecisions {
    /** As {@link Sightings}: time-driven changes show within this, by the gate's clock. */
    static final long REUSE_MILLIS = 2_000;

    /**
     * @param fetched true for the answer after the fetch (its file carries the digest of the bytes at hand)
     */
    private record Key(PackageCoordinate coordinate, ArtifactFile file, boolean fetched) {
    }

    /** An answer reached at {@code at} (the gate's clock) when the store had this change count. */
    private record Answer(long generation, long at, boolean publishedKnown, CompletableFuture<Decision> decision) {
    }

    private final Cache<Key, Answer> answers = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(10)).build();

    /**
     * The answer reached for this file at this generation less than {@link #REUSE_MILLIS} ago, or
     * null. A caller that knows the publish time ({@code callerKnowsPublished}) is not answered from
     * a decision made without it: its sighting records the time.
     */
    CompletableFuture<Decision> reuse(PackageCoordinate c, ArtifactFile file, boolean fetched,
                                      boolean callerKnowsPublished, long generation, long now) {
        Answer a = answers.getIfPresent(new Key(c, file, fetched));
        if (a == null || a.generation() != generation || now < a.at() || now - a.at() >= REUSE_MILLIS
                || (callerKnowsPublished && !a.publishedKnown())) {
            return null;
        }
        return a.decision();
    }

    /**
     * Keeps a final answer; returns it as a completed future (shared by every caller that reuses it:
     * it is complete, so nobody can change it).
     *
     * @param generation the store's change count read before the decision was made
     * @param publishedKnown whether the verdict behind the answer knew the publish time
     */
    CompletableFuture<Decision> keep(PackageCoordinate c, ArtifactFile file, boolean fetched, boolean publishedKnown,
                                     long generation, long at, Decision d) {
        CompletableFuture<Decision> done = CompletableFuture.completedFuture(d);
        answers.put(new Key(c, file, fetched), new Answer(generation, at, publishedKnown, done));
        return done;
    }
}
