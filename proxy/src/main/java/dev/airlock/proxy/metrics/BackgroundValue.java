package dev.airlock.proxy.metrics;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A costly value (a scan of every stored verdict) worked out on a timer thread and read from a
 * field: a scrape, answered on a Netty event loop, only reads the last answer and never waits for
 * a scan. The first answer is worked out when it is created (at start-up, off the serving path);
 * a failed refresh keeps the previous answer and is logged.
 */
final class BackgroundValue<T> implements Supplier<T> {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundValue.class);
    private final Supplier<T> source;
    private volatile T value;

    BackgroundValue(Supplier<T> source, T fallback, Duration every, ScheduledExecutorService timer) {
        this.source = source;
        this.value = fallback;
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            T v = source.get();
            if (v != null) {
                value = v;
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics value could not be refreshed (keeping the last one): {}", e.toString());
        }
    }

    @Override
    public T get() {
        return value;
    }
}
