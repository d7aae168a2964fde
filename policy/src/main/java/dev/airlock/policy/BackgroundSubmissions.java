package dev.airlock.policy;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Analyses nobody is waiting for (a version first seen in a listing, the full analysis of a file
 * whose static check just passed) handed to the queue once first downloads are quiet. On a small
 * machine a sandbox run takes a core for tens of seconds; started in the middle of a cold install
 * of a tree, it starved the static checks the install's downloads were waiting for until they ran
 * past {@code policy.staticCheckWait} and were refused. While static checks run, and for
 * {@link #QUIET_MILLIS} after the last one, such submissions wait here, each at most
 * {@link #MAX_WAIT_MILLIS}; a download that waits for an analysis is handed over at once.
 *
 * <p>Nothing here changes a verdict: a version stays held until its analysis, whenever it runs.
 * What waits here when the process dies is asked for again by the next download of the version.
 */
final class BackgroundSubmissions implements AutoCloseable {
    static final long QUIET_MILLIS = 5_000;
    static final long MAX_WAIT_MILLIS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundSubmissions.class);

    private record Waiting(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority, long since) {
    }

    private final AnalysisQueue queue;
    private final LongSupplier nanos;
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer;
    private volatile long lastBusy;
    private volatile boolean busySeen;

    /** @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    BackgroundSubmissions(AnalysisQueue queue, LongSupplier nanos) {
        this.queue = queue;
        this.nanos = nanos;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "background-submissions");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::handOverQuietly, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** A first download is being checked now: background analyses wait until such work is quiet. */
    void busy() {
        lastBusy = nanos.getAsLong();
        busySeen = true;
    }

    /** Queues the analysis now when nothing is busy or someone waits for it, else once it is quiet. */
    void submit(PackageCoordinate c, ArtifactFile file, AnalysisPriority priority) {
        long now = nanos.getAsLong();
        if (priority == AnalysisPriority.DOWNLOAD_WAITING || quiet(now)) {
            toQueue(c, file, priority);
            return;
        }
        waiting.add(new Waiting(c, file, priority, now));
    }

    /** Analyses waiting here now. */
    int waiting() {
        return waiting.size();
    }

    private boolean quiet(long now) {
        return !busySeen || now - lastBusy >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
    }

    /** Hands over what waited long enough, or everything once quiet. */
    void handOver() {
        long now = nanos.getAsLong();
        boolean quiet = quiet(now);
        for (Waiting w; (w = waiting.peek()) != null; ) {
            if (!quiet && now - w.since() < TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS)) {
                return;
            }
            if (waiting.remove(w)) {
                try {
                    toQueue(w.coordinate(), w.file(), w.priority());
                } catch (RuntimeException e) {
                    waiting.add(w); // tried again at the next round
                    throw e;
                }
            }
        }
    }

    private void toQueue(PackageCoordinate c, ArtifactFile file, AnalysisPriority priority) {
        if (file == null) {
            queue.submit(c, priority);
        } else {
            queue.submit(c, file, priority);
        }
    }

    private void handOverQuietly() {
        try {
            handOver();
        } catch (RuntimeException e) {
            LOG.warn("could not hand background analyses to the queue (they stay waiting)", e);
        }
    }

    /** Hands everything over (the queue persists it) and stops. */
    @Override
    public void close() {
        timer.shutdown();
        busySeen = false;
        handOverQuietly();
    }
}
