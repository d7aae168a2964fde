package dev.airlock.analysis.queue;

import dev.airlock.config.AnalysisConfig;
import dev.airlock.sql.Database;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from the shared queue while this node has free analysis slots: the next due one is
 * leased (and its lease renewed by {@link LeaseHeartbeat} while it runs); with nothing due it waits
 * half a second or until this node queued something.
 */
final class SharedDispatch {
    private static final Logger LOG = LoggerFactory.getLogger(SharedDispatch.class);
    private static final long IDLE_POLL_MS = 500;
    private final Database db;
    private final String node;
    private final AnalysisConfig config;
    private final AnalysisRun run;
    private final SharedJobRunner runner;
    private final LeaseHeartbeat heartbeat;
    private final ExecutorService workers;
    private final BooleanSupplier closed;
    private final Duration lease;
    private final Object wake = new Object();

    SharedDispatch(Database db, AnalysisConfig config, AnalysisRun run, SharedJobRunner runner, LeaseHeartbeat heartbeat,
                   ExecutorService workers, BooleanSupplier closed) {
        this.db = db;
        this.node = db.nodeId();
        this.config = config;
        this.run = run;
        this.runner = runner;
        this.heartbeat = heartbeat;
        this.workers = workers;
        this.closed = closed;
        this.lease = db.config().leaseTimeout();
    }

    void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void idle() throws InterruptedException {
        synchronized (wake) {
            wake.wait(IDLE_POLL_MS);
        }
    }

    void loop() {
        int total = Math.max(1, config.concurrency());
        Semaphore slots = new Semaphore(total);
        while (!closed.getAsBoolean()) {
            try {
                slots.acquire();
                Job job = run.needsSandboxAndHasNone() ? null : claim();
                if (job == null) {
                    slots.release();
                    idle();
                    continue;
                }
                heartbeat.held().add(job.key());
                // A job a node died under runs alone: if it dies again, the death is its own.
                int took = job.deaths() > 0 ? total : 1;
                if (took > 1) {
                    slots.acquire(took - 1);
                }
                workers.submit(() -> {
                    try {
                        runner.run(job);
                    } catch (RuntimeException | Error e) {
                        LOG.error("analysis job {} failed unexpectedly; it stays queued", job.key(), e);
                        runner.reschedule(job, "internal_error", e.toString());
                    } finally {
                        heartbeat.held().remove(job.key());
                        slots.release(took);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("shared store: taking the next analysis job failed (retried): {}", e.getMessage());
                slots.release();
                try {
                    Thread.sleep(IDLE_POLL_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** The next due job, leased to this node; jobs whose result another node stored meanwhile are dropped on the way. */
    private Job claim() {
        for (int i = 0; i < 16; i++) {
            Object[] got = new Object[1];
            boolean stale = db.transaction(c -> {
                Job j = JobRows.claim(c, node, lease);
                got[0] = j;
                if (j != null && ResultRows.exists(c, j.key())) {
                    JobRows.delete(c, j.key());
                    return true;
                }
                return false;
            });
            if (!stale) {
                return (Job) got[0];
            }
        }
        return null;
    }
}
