package dev.airlock.proxy.metrics;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands access-log records to one background thread, which counts, formats and writes them. The
 * logger writes synchronously under a global lock; on the serving threads that lock cost tens of
 * milliseconds per request under load, and formatting a line is work no answer waits for. When
 * the queue is full a record is dropped and counted (the log is a side path: it fails open).
 *
 * @param <T> what is queued: a line, or a snapshot of an exchange that the target turns into one
 */
final class AsyncLineSink<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncLineSink.class);
    private final BlockingQueue<T> queue = new ArrayBlockingQueue<>(16_384);
    private final AtomicLong dropped = new AtomicLong();
    private final java.util.function.Consumer<T> target;
    private final Thread writer;
    private volatile boolean closed;

    AsyncLineSink(java.util.function.Consumer<T> target) {
        this.target = target;
        this.writer = new Thread(this::drain, "access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public void write(T line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    private void drain() {
        long reported = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                T line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    target.accept(line);
                }
                long d = dropped.get();
                if (d != reported) {
                    LOG.warn("access log dropped {} lines (writer too slow)", d - reported);
                    reported = d;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("access log line failed (ignored)", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
