package dev.airlock.proxy.metrics;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands access-log records to one background thread, which counts, formats and writes them. The
 * logger writes synchronously under a global lock; on the serving threads that lock cost tens of
 * milliseconds per request under load, and formatting a line is work no answer waits for. When
 * the queue is full a record is dropped and counted (the log is a side path: it fails open).
 *
 * <p>A record costs the serving thread a lock-free enqueue and nothing else: the writer is not
 * woken per record (a blocking queue's signal was a system call and a context switch on every
 * request) but looks every {@link #PAUSE_MILLIS} and writes everything that came in meanwhile.
 *
 * @param <T> what is queued: a line, or a snapshot of an exchange that the target turns into one
 */
final class AsyncLineSink<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncLineSink.class);
    static final int CAPACITY = 16_384;
    /** How long the writer rests when it found nothing to write: how late a line may appear. */
    static final long PAUSE_MILLIS = 20;
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
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
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(line);
    }

    long dropped() {
        return dropped.get();
    }

    private void drain() {
        long reported = 0;
        while (true) {
            boolean wrote = false;
            for (T line; (line = queue.poll()) != null; ) {
                size.decrementAndGet();
                wrote = true;
                try {
                    target.accept(line);
                } catch (RuntimeException e) {
                    LOG.warn("access log line failed (ignored)", e);
                }
            }
            long d = dropped.get();
            if (d != reported) {
                LOG.warn("access log dropped {} lines (writer too slow)", d - reported);
                reported = d;
            }
            if (closed && queue.isEmpty()) {
                return;
            }
            if (!wrote) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                if (Thread.interrupted()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
