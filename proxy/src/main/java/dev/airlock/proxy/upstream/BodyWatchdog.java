package dev.airlock.proxy.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long an upstream response body may take. On JDK 17 {@code HttpRequest.timeout} ends
 * once the headers arrived, so a body that stalls would block its reader for good. A watched body
 * is closed from a timer thread when no byte arrived for {@code idle} (or, when given, once
 * {@code total} has passed); closing wakes the blocked reader, which then gets an
 * {@link HttpTimeoutException} that says which limit was crossed.
 */
final class BodyWatchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "airlock-upstream-watchdog");
        t.setDaemon(true);
        return t;
    });

    private BodyWatchdog() {
    }

    /**
     * @param idle  longest wait for the next byte
     * @param total longest time for the whole body, or null for none (artifacts: big ones may take long)
     */
    static InputStream watch(InputStream body, Duration idle, Duration total, String what) {
        return new Watched(body, idle, total, what);
    }

    private static final class Watched extends FilterInputStream {
        private final long idleNanos;
        private final long deadline;
        private final Duration idle;
        private final Duration total;
        private final String what;
        private final ScheduledFuture<?> check;
        private volatile long lastProgress = System.nanoTime();
        private volatile String expired;

        Watched(InputStream in, Duration idle, Duration total, String what) {
            super(in);
            this.idle = idle;
            this.total = total;
            this.what = what;
            this.idleNanos = idle.toNanos();
            this.deadline = total == null ? Long.MAX_VALUE : System.nanoTime() + total.toNanos();
            long tick = Math.max(10, Math.min(1000, idle.toMillis() / 4));
            this.check = TIMER.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
        }

        private void check() {
            long now = System.nanoTime();
            String why = null;
            if (now - lastProgress > idleNanos) {
                why = "no byte of " + what + " for " + idle.toMillis() + " ms";
            } else if (now - deadline > 0) {
                why = what + " not complete within " + total.toMillis() + " ms";
            }
            if (why != null) {
                expired = why;
                check.cancel(false);
                try {
                    in.close();
                } catch (IOException | RuntimeException e) {
                    // Closing is only how the reader is woken; it learns the reason from `expired`.
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw timedOutOr(e);
            }
            if (n > 0) {
                lastProgress = System.nanoTime();
            } else if (n < 0 && expired != null) {
                throw timedOutOr(null);
            }
            return n;
        }

        private IOException timedOutOr(IOException e) {
            String why = expired;
            if (why == null) {
                return e;
            }
            HttpTimeoutException t = new HttpTimeoutException(why);
            if (e != null) {
                t.initCause(e);
            }
            return t;
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            in.close();
        }
    }
}
