package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts downloads on the serving path and hands them to the store once a second, one record per
 * version and client (address, user agent, file, identity) with a count. Every download used to be
 * one stored record: at thousands of cached downloads a second the store's writer spent more CPU on
 * them than the serving threads spent on the answers. The blast-radius question (who got this
 * version, and when) is answered just as well by "this client, 4,200 times between 10:00:01 and
 * 10:00:02".
 *
 * <p>What is counted and not yet handed over is lost by a kill -9, like the store's own group
 * commit: at most the last second or so of download records, never a verdict.
 */
final class DownloadTally implements AutoCloseable {
    static final long FLUSH_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(DownloadTally.class);

    private record Key(PackageCoordinate coordinate, String clientAddress, String userAgent, String file, String client) {
    }

    /** Downloads of one key since the last hand-over. Guarded by its own monitor. */
    private static final class Count {
        private final long first;
        private long last;
        private int n;
        private boolean taken;

        Count(long at) {
            this.first = at;
            this.last = at;
        }
    }

    private final Map<Key, Count> counts = new ConcurrentHashMap<>();
    private final BiConsumer<PackageCoordinate, DownloadRecord> sink;
    private final ScheduledExecutorService flusher;

    /**
     * @param sink where the coalesced records go (the store's {@code recordDownload})
     * @param background false: nothing is flushed by itself (tests call {@link #flush()})
     */
    DownloadTally(BiConsumer<PackageCoordinate, DownloadRecord> sink, boolean background) {
        this.sink = sink;
        if (background) {
            this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "download-tally");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            this.flusher = null;
        }
    }

    /** Counts one download; cheap and lock-free but for the one key's monitor. Never throws: a side path. */
    void add(PackageCoordinate c, DownloadContext who, long atMillis) {
        try {
            count(c, who, atMillis);
        } catch (RuntimeException e) {
            LOG.warn("could not count the download of {}", c, e);
        }
    }

    private void count(PackageCoordinate c, DownloadContext who, long atMillis) {
        Key k = who == null ? new Key(c, null, null, null, null)
                : new Key(c, who.clientAddress(), who.userAgent(), who.file(), who.client());
        while (true) {
            Count count = counts.computeIfAbsent(k, x -> new Count(atMillis));
            synchronized (count) {
                if (!count.taken) {
                    count.n++;
                    count.last = Math.max(count.last, atMillis);
                    return;
                }
            }
            // Taken by a flush between the lookup and the lock: start the next record.
            counts.remove(k, count);
        }
    }

    /** Hands everything counted so far to the store. */
    void flush() {
        List<Map.Entry<Key, Count>> ready = new ArrayList<>();
        for (Map.Entry<Key, Count> e : counts.entrySet()) {
            Count count = e.getValue();
            synchronized (count) {
                count.taken = true;
            }
            counts.remove(e.getKey(), count);
            ready.add(e);
        }
        ready.sort((a, b) -> Long.compare(a.getValue().first, b.getValue().first));
        for (Map.Entry<Key, Count> e : ready) {
            Key k = e.getKey();
            Count count = e.getValue();
            if (count.n == 0) {
                continue; // made by an add that found it taken and starts the next record
            }
            try {
                sink.accept(k.coordinate(), new DownloadRecord(Instant.ofEpochMilli(count.first), k.clientAddress(),
                        k.userAgent(), k.file(), k.client(), count.n, Instant.ofEpochMilli(count.last)));
            } catch (RuntimeException refused) {
                // One record the store refused must not cost the others.
                LOG.warn("could not record the downloads of {}", k.coordinate(), refused);
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            // A side path: the downloads log must never break serving.
            LOG.warn("could not record downloads", e);
        }
    }

    @Override
    public void close() {
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
    }
}
