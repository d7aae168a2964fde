package dev.airlock.sandbox;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's last known state and when to ask again: while the sandbox cannot run, at most every
 * re-probe interval, so a waiting job notices an engine that came up; one probe at a time, and a late
 * answer still counts unless a newer probe started.
 */
final class EngineWatch {
    private static final Logger LOG = LoggerFactory.getLogger(EngineWatch.class);

    private final EngineProbe prober;
    private final Duration reprobeEvery;
    private final ReentrantLock probing = new ReentrantLock();
    private final AtomicLong probes = new AtomicLong();
    private volatile EngineStatus status;
    private volatile long probedAt;

    EngineWatch(EngineProbe proberOrNull, EngineStatus initial, Duration reprobeEvery) {
        this.prober = proberOrNull;
        this.status = initial;
        this.reprobeEvery = reprobeEvery;
        this.probedAt = System.nanoTime();
    }

    EngineStatus status() {
        return status;
    }

    boolean available() {
        EngineStatus now = status;
        if (now.usable() || System.nanoTime() - probedAt < reprobeEvery.toNanos()) {
            return now.usable();
        }
        return recheck();
    }

    boolean recheck() {
        if (prober == null) {
            return false;
        }
        long seen = probes.get();
        boolean locked = false;
        try {
            locked = probing.tryLock(EngineProbe.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            return status.usable();
        }
        try {
            // A probe that ran while this caller waited is as fresh as one it would start now.
            return probes.get() != seen ? status.usable() : probe(EngineProbe.TIMEOUT);
        } finally {
            probing.unlock();
        }
    }

    /**
     * Probes, waiting at most {@code wait}. An answer that comes later (the first call of a cold JVM
     * loads the client's classes, which can take seconds on a busy machine) still updates the status,
     * unless a newer probe started meanwhile.
     */
    boolean probe(Duration wait) {
        long generation = probes.incrementAndGet();
        CompletableFuture<EngineStatus> answer = prober.start();
        EngineStatus now = prober.await(answer, wait);
        update(now);
        answer.thenAccept(late -> {
            if (late != now && probes.get() == generation) {
                update(late);
            }
        });
        return now.usable();
    }

    private synchronized void update(EngineStatus now) {
        EngineStatus before = status;
        status = now;
        probedAt = System.nanoTime();
        if (now.usable() != before.usable() || !Objects.equals(now.runtime(), before.runtime())
                || !Objects.equals(now.problem(), before.problem())) {
            log(now);
        }
    }

    private static void log(EngineStatus status) {
        if (!status.usable()) {
            LOG.warn("sandbox unavailable: {}", status.problem());
            return;
        }
        LOG.info("sandbox: engine ready (Docker {}), runtime {}", status.version(), status.runtime());
        if (status.warning() != null) {
            LOG.warn("sandbox: {}", status.warning());
        }
    }
}
