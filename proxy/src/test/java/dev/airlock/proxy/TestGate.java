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

/** A gate that blocks exactly the versions a test names, so the filtering machinery can be tested without policy. */
final class TestGate implements VerdictGate {
    private final Map<String, Decision> blocked = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    TestGate block(String coordinate, String code, String message) {
        blocked.put(coordinate, Decision.hide(code, message));
        generation.incrementAndGet();
        return this;
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
