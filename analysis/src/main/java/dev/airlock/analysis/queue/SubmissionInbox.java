package dev.airlock.analysis.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submissions from the serving path, stored by one writer thread. The caller (often a Netty event
 * loop) only puts the job in a concurrent map and wakes the writer: no lock, no disk, no fsync on
 * its thread. The writer stores every submission waiting at that moment and commits them together,
 * so a burst of new versions in one listing costs one commit, not one per version.
 *
 * <p>A submission is durable once its batch is committed, a few milliseconds later. One lost to a
 * crash before that is asked for again by the next listing of its version (policy re-submits a
 * version that has no analysis yet), so the window loses no version for good.
 */
final class SubmissionInbox implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SubmissionInbox.class);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConcurrentHashMap<String, Job> waiting = new ConcurrentHashMap<>();
    private final Consumer<List<Job>> store;
    private final Thread writer;
    private volatile boolean closed;

    /** @param store writes and commits one batch (on the writer thread); throws if it could not */
    SubmissionInbox(Consumer<List<Job>> store) {
        this.store = store;
        this.writer = new Thread(this::run, "analysis-submit-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Takes a submission; of two for the same job the more urgent one is kept. Never blocks. */
    void offer(Job job) {
        Job kept = waiting.merge(job.key(), job, (old, fresh) -> fresh.priority().compareTo(old.priority()) < 0 ? fresh : old);
        if (kept == job) {
            LockSupport.unpark(writer);
        }
    }

    /** The waiting submission of this job, or null. */
    Job get(String key) {
        return waiting.get(key);
    }

    /** Waiting submissions whose key is not in {@code stored}. */
    int countNotIn(java.util.Set<String> stored) {
        int n = 0;
        for (String key : waiting.keySet()) {
            if (!stored.contains(key)) {
                n++;
            }
        }
        return n;
    }

    private void run() {
        while (true) {
            if (waiting.isEmpty()) {
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(this, IDLE_NANOS);
                continue;
            }
            List<Job> batch = new ArrayList<>(waiting.values());
            try {
                store.accept(batch);
            } catch (RuntimeException e) {
                // A full disk, say: the submissions stay waiting and are tried again shortly.
                LOG.warn("could not store {} analysis submission(s), retrying: {}", batch.size(), e.toString());
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(this, RETRY_NANOS);
                continue;
            }
            for (Job j : batch) {
                // Only the one stored: a more urgent submission that arrived meanwhile stays for the next batch.
                waiting.remove(j.key(), j);
            }
        }
    }

    /** Stores what is still waiting, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
