package dev.airlock.proxy.admin;

import dev.airlock.policy.PolicyAdmin;
import dev.airlock.policy.review.Overview;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET status}: what holds right now; {@code GET overview?range=24h|7d|30d}: the history the
 * overview page charts (see {@link dev.airlock.policy.review.OverviewHistory}) with the held
 * versions people are waiting on.
 */
final class OverviewHandler {
    private static final Map<String, Duration> RANGES = Map.of("6h", Duration.ofHours(6), "24h", Duration.ofHours(24),
            "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));
    private static final int POINTS = 96;
    private final PolicyAdmin admin;
    private final Supplier<Map<String, Object>> extraStatus;

    OverviewHandler(PolicyAdmin admin, Supplier<Map<String, Object>> extraStatus) {
        this.admin = admin;
        this.extraStatus = extraStatus;
    }

    void status(AdminRequest req) {
        Map<String, Object> s = new LinkedHashMap<>(admin.status());
        s.putAll(extraStatus.get());
        req.respond(s);
    }

    void overview(AdminRequest req) {
        String range = req.query("range") == null ? "24h" : req.query("range");
        Duration d = RANGES.get(range);
        if (d == null) {
            throw ApiProblem.badRequest("range must be 6h, 24h, 7d or 30d, got '" + range + "'");
        }
        Overview o = admin.history().overview(Instant.now(), d, POINTS);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("range", range);
        body.put("from", o.from());
        body.put("to", o.to());
        body.put("stepSeconds", o.stepSeconds());
        body.put("points", o.points());
        body.put("totals", o.totals());
        body.put("timeToVerdict", o.timeToVerdict());
        body.put("heldMostDownloaded", admin.mostDownloadedHeld(10));
        req.respond(body);
    }
}
