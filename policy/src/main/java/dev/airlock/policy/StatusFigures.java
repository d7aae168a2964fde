package dev.airlock.policy;

import dev.airlock.policy.review.VersionQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The numbers the status page and the overview show: settings and counts now, the gauges the
 * overview samples once a minute, and which held versions clients wait on most. Cheap: counts
 * come from the listing's index, not from deciding every version.
 */
final class StatusFigures {
    private final PolicyGate gate;
    private final ReviewQueue review;

    StatusFigures(PolicyGate gate, ReviewQueue review) {
        this.gate = gate;
        this.review = review;
    }

    /** What {@code GET /api/v1/status} says of policy. */
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", gate.config().mode());
        m.put("holdNewerThan", gate.config().holdNewerThan());
        m.put("holdWait", gate.config().holdWait().toString());
        m.put("minimumAge", gate.config().minimumAge() == null ? null : gate.config().minimumAge().toString());
        Map<String, Integer> byState = new LinkedHashMap<>();
        review.countsByState().forEach((k, v) -> byState.put(k.id(), v));
        m.put("versions", byState);
        int depth;
        try {
            depth = gate.queue().depth();
        } catch (RuntimeException e) {
            depth = -1;
        }
        m.put("queueDepth", depth);
        m.put("waitingDownloads", gate.waitingDownloads());
        m.put("overrides", gate.overrides().size());
        m.put("feedRecords", gate.feed().size());
        return m;
    }

    /** Versions by state now, queue depth, waiting downloads. */
    Map<String, Long> gauges() {
        Map<String, Long> g = new LinkedHashMap<>();
        review.countsByState().forEach((k, v) -> g.put("state." + k.id(), (long) v));
        try {
            g.put("queue.depth", (long) gate.queue().depth());
        } catch (RuntimeException e) {
            // A queue that cannot say leaves a gap in the chart rather than a wrong zero.
        }
        g.put("downloads.waiting", (long) gate.waitingDownloads());
        return g;
    }

    /** The held versions most downloaded through Airlock (who is waiting on what), most first. */
    List<Map<String, Object>> mostDownloadedHeld(int limit) {
        gate.flushDownloads();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Verdict v : review.select(new VersionQuery(VersionQuery.HELD, null, null, null, null, null, null))) {
            List<DownloadRecord> d = gate.store().downloads(v.coordinate(), 1000);
            if (d.isEmpty()) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ecosystem", v.coordinate().ecosystem().id());
            m.put("name", v.coordinate().name());
            m.put("version", v.coordinate().version());
            m.put("state", v.state().id());
            m.put("reason", v.primaryReason().code());
            m.put("downloads", d.stream().mapToInt(DownloadRecord::count).sum());
            m.put("lastDownload", d.stream().map(DownloadRecord::lastAt).max(Comparator.naturalOrder()).orElseThrow());
            m.put("clients", d.stream().map(DownloadRecord::clientAddress).filter(Objects::nonNull).distinct().count());
            out.add(m);
        }
        out.sort((a, b) -> Integer.compare((Integer) b.get("downloads"), (Integer) a.get("downloads")));
        return out.size() > limit ? out.subList(0, limit) : out;
    }
}
