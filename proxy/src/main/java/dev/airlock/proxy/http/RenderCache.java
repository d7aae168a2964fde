package dev.airlock.proxy.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Filtered, rendered metadata documents, reused while the upstream copy and every verdict are
 * unchanged. Bounded by bytes, not entries: one npm packument can render to tens of megabytes.
 *
 * <p>The base URL written into a document is part of its key. With {@code server.publicUrl}
 * configured there is one base; without it the base comes from each request's {@code Host}, and
 * only the first {@link #MAX_BASES} bases are cached, so a client varying {@code Host} cannot
 * multiply multi-megabyte renders or push everyone else's documents out (its documents are
 * rendered each time instead).
 */
public final class RenderCache {
    static final int MAX_BASES = 8;

    /** One rendering: which document, in which form, for which base, at which verdict generation, from which upstream copy. */
    private record Key(String document, String form, String base, long generation, Object source) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && generation == k.generation && source == k.source && document.equals(k.document)
                    && form.equals(k.form) && base.equals(k.base);
        }

        @Override
        public int hashCode() {
            return Objects.hash(document, form, base, generation, System.identityHashCode(source));
        }
    }

    private final Cache<Key, MetadataAnswer> cache;
    private final Set<String> bases = ConcurrentHashMap.newKeySet();

    /** @param maxBytes total size of the cached bodies (and their gzipped forms) */
    public RenderCache(long maxBytes, Duration ttl) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, MetadataAnswer a) -> a.weight())
                .expireAfterWrite(ttl)
                .build();
    }

    /** The cached answer, or null: cheap enough for an event loop. */
    public MetadataAnswer getIfPresent(String document, String form, String base, long generation, Object source) {
        return cache.getIfPresent(new Key(document, form, base, generation, source));
    }

    /** The cached answer, or one rendered now (and kept when its base is admitted); may block: not on an event loop. */
    public MetadataAnswer get(String document, String form, String base, long generation, Object source,
                              Supplier<MetadataAnswer> render) {
        if (!admits(base)) {
            return render.get();
        }
        return cache.get(new Key(document, form, base, generation, source), k -> render.get());
    }

    private boolean admits(String base) {
        if (bases.contains(base)) {
            return true;
        }
        if (bases.size() >= MAX_BASES) {
            return false;
        }
        bases.add(base);
        return true;
    }

    /**
     * Total weight held now (tests and the memory benchmark). Caffeine settles its weights in
     * maintenance that runs later on another thread, so the pending maintenance runs first: a
     * read just after a write would otherwise miss that write's weight.
     */
    public long weight() {
        cache.cleanUp();
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }
}
