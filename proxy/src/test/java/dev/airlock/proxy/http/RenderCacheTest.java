package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's "render caches by bytes, keyed on the configured public URL": rendered documents are
 * bounded by their size, not their count, and a client that varies {@code Host} (so the base URL
 * written into each document) cannot multiply multi-megabyte renders: past the first few bases it
 * is rendered each time and kept nowhere.
 */
class RenderCacheTest {
    private static final Object SOURCE = new Object();

    private static MetadataAnswer answer(int bytes) {
        return new MetadataAnswer("full", "application/json", new byte[bytes], null);
    }

    @Test
    void theCacheHoldsNoMoreBytesThanItsBudgetWhateverTheNumberOfDocuments() {
        long budget = 4L << 20;
        RenderCache cache = new RenderCache(budget, Duration.ofMinutes(1));
        for (int i = 0; i < 40; i++) {
            cache.get("npm:doc-" + i, "full", "http://airlock/", 1, SOURCE, () -> answer(512 * 1024));
        }
        // Caffeine evicts in its maintenance pass, which runs right after writes: wait for it.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (cache.weight() > budget && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertTrue(cache.weight() <= budget, "holds " + cache.weight() + " bytes of a " + budget + " budget");
        assertTrue(cache.weight() > budget / 2, "keeps what fits: " + cache.weight());
    }

    @Test
    void aClientVaryingHostIsRenderedEachTimeOnceTheFirstBasesAreTaken() {
        RenderCache cache = new RenderCache(64L << 20, Duration.ofMinutes(1));
        AtomicInteger renders = new AtomicInteger();
        for (int i = 0; i < RenderCache.MAX_BASES; i++) {
            cache.get("npm:left-pad", "full", "http://host-" + i + "/", 1, SOURCE, () -> {
                renders.incrementAndGet();
                return answer(1000);
            });
        }
        assertNotNull(cache.getIfPresent("npm:left-pad", "full", "http://host-0/", 1, SOURCE), "the first bases are cached");
        long held = cache.weight();
        for (int i = 0; i < 3; i++) {
            cache.get("npm:left-pad", "full", "http://evil-" + i + "/", 1, SOURCE, () -> {
                renders.incrementAndGet();
                return answer(1000);
            });
        }
        cache.get("npm:left-pad", "full", "http://evil-0/", 1, SOURCE, () -> {
            renders.incrementAndGet();
            return answer(1000);
        });
        assertEquals(RenderCache.MAX_BASES + 4, renders.get(), "each answer for a new base was rendered, none reused");
        assertNull(cache.getIfPresent("npm:left-pad", "full", "http://evil-0/", 1, SOURCE));
        assertEquals(held, cache.weight(), "nothing was kept for the extra bases");
    }

    @Test
    void aNewVerdictGenerationIsANewKeySoAStaleRenderIsNeverServed() {
        RenderCache cache = new RenderCache(64L << 20, Duration.ofMinutes(1));
        cache.get("npm:a", "full", "http://airlock/", 1, SOURCE, () -> answer(10));
        assertNotNull(cache.getIfPresent("npm:a", "full", "http://airlock/", 1, SOURCE));
        assertNull(cache.getIfPresent("npm:a", "full", "http://airlock/", 2, SOURCE));
        assertNull(cache.getIfPresent("npm:a", "full", "http://airlock/", 1, new Object()), "another upstream copy");
    }
}
