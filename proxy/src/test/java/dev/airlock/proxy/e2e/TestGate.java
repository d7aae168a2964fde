package dev.airlock.proxy.e2e;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.DownloadContext;
import dev.airlock.policy.VerdictGate;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A verdict gate whose blocked versions a test chooses, and may change while Airlock runs. */
final class TestGate implements VerdictGate {
    static final String CODE = "blocked_by_test";
    private final Set<PackageCoordinate> blocked = ConcurrentHashMap.newKeySet();

    void block(PackageCoordinate coordinate) {
        blocked.add(coordinate);
    }

    void clear() {
        blocked.clear();
    }

    /** The sentence a client should show: ASCII, so it survives as an HTTP reason phrase. */
    static String reason(PackageCoordinate c) {
        return c.name() + " " + c.version() + " is blocked by the e2e test policy";
    }

    @Override
    public Decision listed(PackageCoordinate coordinate, Instant publishedAt) {
        return decide(coordinate);
    }

    @Override
    public CompletionStage<Decision> beforeDownload(PackageCoordinate coordinate, Instant publishedAt,
                                                    DownloadContext who) {
        return CompletableFuture.completedFuture(decide(coordinate));
    }

    private Decision decide(PackageCoordinate c) {
        return blocked.contains(c) ? Decision.hide(CODE, reason(c)) : Decision.allow();
    }
}
