package dev.airlock.analysis.queue;

import dev.airlock.config.AnalysisConfig;
import dev.airlock.sql.Database;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's beat in the shared queue, every third of {@code store.leaseTimeout}: renews the
 * leases of the jobs it runs, says in the nodes table whether it analyses with a sandbox, and
 * reads back the queue's depth and whether any node analyses, for the status view and the gate.
 */
final class LeaseHeartbeat {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);
    private final Database db;
    private final String node;
    private final String role;
    private final AnalysisConfig config;
    private final AnalysisRun run;
    private final Duration lease;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile int depth;
    private volatile boolean analysedSomewhere = true;

    LeaseHeartbeat(Database db, String role, AnalysisConfig config, AnalysisRun run) {
        this.db = db;
        this.node = db.nodeId();
        this.role = role;
        this.config = config;
        this.run = run;
        this.lease = db.config().leaseTimeout();
    }

    /** The keys of the jobs this node runs now. */
    Set<String> held() {
        return held;
    }

    int depth() {
        return depth;
    }

    boolean analysedSomewhere() {
        return analysedSomewhere;
    }

    void beat(boolean closed) {
        try {
            db.transaction(c -> {
                if (!held.isEmpty()) {
                    int kept = JobRows.renew(c, node, List.copyOf(held), lease);
                    if (kept < held.size()) {
                        LOG.warn("{} of {} analysis lease(s) of this node were taken over (it was cut off for longer than "
                                + "store.leaseTimeout); their results will not be recorded", held.size() - kept, held.size());
                    }
                }
                boolean analysing = config.enabled() && !closed;
                NodeBeat.beat(c, node, role, analysing, analysing && !run.needsSandboxAndHasNone());
                depth = JobRows.count(c);
                analysedSomewhere = NodeBeat.anyAnalysing(c, config.requireSandbox(), lease);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("shared store: renewing this node's analysis leases failed (retried): {}", e.getMessage());
        }
    }
}
