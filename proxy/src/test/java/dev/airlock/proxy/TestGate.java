package dev.airlock.proxy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.DownloadContext;
import dev.airlock.policy.VerdictGate;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gate that blocks exactly the versions a test names, so the filtering machinery can be tested
 * without policy. It reports a generation like the real gate, so the proxy's reuse of filtered
 * metadata is exercised too.
 */
public final class TestGate implements VerdictGate {
    public static final String CODE = "blocked_by_test";
    private final Map<String, Decision> blocked = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    /** The sentence a client should show: ASCII, so it survives as an HTTP reason phrase. */
    public static String reason(PackageCoordinate c) {
        return c.name() + " " + c.version() + " is blocked by the test policy";
    }

    public TestGate block(String coordinate, String code, String message) {
        blocked.put(coordinate, Decision.hide(code, message));
        generation.incrementAndGet();
        return this;
    }

    public TestGate block(PackageCoordinate c) {
        return block(c.toString(), CODE, reason(c));
    }

    public void clear() {
        blocked.clear();
        generation.incrementAndGet();
    }

    private Decision decide(PackageCoordinate c) {
        return blocked.getOrDefault(c.toString(), Decision.allow());
    }

    @Override
    public Decision listed(PackageCoordinate coordinate, Instant publishedAt) {
        return decide(coordinate);
    }

    @Override
    public CompletionStage<Decision> beforeDownload(PackageCoordinate coordinate, Instant publishedAt, DownloadContext who) {
        return CompletableFuture.completedFuture(decide(coordinate));
    }

    @Override
    public long generation() {
        return generation.get();
    }
}
