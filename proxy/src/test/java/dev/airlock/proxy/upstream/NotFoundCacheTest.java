package dev.airlock.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.UpstreamConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotFoundCacheTest {
    @TempDir
    Path dir;
    private final ExecutorService callers = Executors.newFixedThreadPool(2);
    private final AtomicBoolean published = new AtomicBoolean();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private LoopbackUpstream upstream() throws Exception {
        byte[] doc = "demo".getBytes(StandardCharsets.US_ASCII);
        return new LoopbackUpstream((n, s, out) -> {
            if (!published.get()) {
                LoopbackUpstream.head(out, 404, 0);
                return;
            }
            LoopbackUpstream.head(out, 200, doc.length);
            out.write(doc);
            out.flush();
        });
    }

    private MetadataCache<String> cache(Duration notFoundTtl, HandClock clock) throws Exception {
        UpstreamConfig cfg = new UpstreamConfig(null, Duration.ofSeconds(5), 0, null, null, null, null, null, null,
                notFoundTtl);
        UpstreamClient client = new UpstreamClient("test", cfg, callers);
        return new MetadataCache<>(client, (key, body, ct) -> new String(body, StandardCharsets.US_ASCII),
                dir, Duration.ofSeconds(60), 1 << 20, clock);
    }

    private static MetadataCache.Result<String> get(MetadataCache<String> c, LoopbackUpstream up) throws Exception {
        return c.get("pypi:reqeusts", up.uri("/simple/reqeusts/"), Map.of()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRepeatedTypoCostsOneUpstreamCallWhileTheNotFoundIsRemembered() throws Exception {
        HandClock clock = new HandClock();
        try (LoopbackUpstream up = upstream()) {
            MetadataCache<String> c = cache(Duration.ofSeconds(30), clock);
            assertTrue(get(c, up).notFound());
            clock.advance(Duration.ofSeconds(29));
            MetadataCache.Result<String> again = get(c, up);
            assertTrue(again.notFound());
            assertTrue(again.hit());
            assertEquals(1, up.requests());
        }
    }

    @Test
    void aNameAskedForAgainAfterTheNotFoundTtlReachesTheUpstreamAndFindsANewPublication() throws Exception {
        HandClock clock = new HandClock();
        try (LoopbackUpstream up = upstream()) {
            MetadataCache<String> c = cache(Duration.ofSeconds(30), clock);
            assertTrue(get(c, up).notFound());
            published.set(true);
            clock.advance(Duration.ofSeconds(31));
            MetadataCache.Result<String> r = get(c, up);
            assertEquals("demo", r.document());
            assertEquals(2, up.requests());
        }
    }

    @Test
    void aZeroNotFoundTtlAsksTheUpstreamEveryTime() throws Exception {
        HandClock clock = new HandClock();
        try (LoopbackUpstream up = upstream()) {
            MetadataCache<String> c = cache(Duration.ZERO, clock);
            get(c, up);
            get(c, up);
            assertEquals(2, up.requests());
        }
    }
}
