package dev.airlock.proxy.metrics;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines from one background thread. The logger writes synchronously under a
 * global lock; on the serving threads that lock cost tens of milliseconds per request under load.
 * When the queue is full a line is dropped and counted (the log is a side path: it fails open).
 */
final class AsyncLineSink implements AccessLogListener.LineSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncLineSink.class);
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(16_384);
    private final AtomicLong dropped = new AtomicLong();
    private final AccessLogListener.LineSink target;
    private final Thread writer;
    private volatile boolean closed;

    AsyncLineSink(AccessLogListener.LineSink target) {
        this.target = target;
        this.writer = new Thread(this::drain, "access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void write(String line) {
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
                String line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    target.write(line);
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
