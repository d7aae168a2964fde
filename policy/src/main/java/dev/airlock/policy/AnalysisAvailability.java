package dev.airlock.policy;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the full analysis can run now (a sandbox answers, or the configuration releases on
 * static analysis). The serving path reads it, so a timer refreshes a field instead of the
 * serving path asking the sandbox.
 */
final class AnalysisAvailability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisAvailability.class);
    private final Runnable onChange;
    private volatile boolean runs = true;
    private volatile BooleanSupplier probe = () -> true;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "policy-sandbox-probe");
        t.setDaemon(true);
        return t;
    });

    /** @param onChange run when the answer flips: decisions depend on it */
    AnalysisAvailability(Runnable onChange) {
        this.onChange = onChange;
    }

    boolean runs() {
        return runs;
    }

    /** Asks {@code probe} now and then every {@code everyMillis}, off the serving path. */
    void watch(BooleanSupplier probe, long everyMillis) {
        this.probe = probe;
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        boolean now;
        try {
            now = probe.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("sandbox probe failed; treating the sandbox as unavailable: {}", e.toString());
            now = false;
        }
        if (now != runs) {
            runs = now;
            LOG.info(now ? "the full analysis runs again: held versions are released as their analyses finish"
                    : "no sandbox: versions waiting for their full analysis are refused as sandbox_unavailable");
            onChange.run();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
