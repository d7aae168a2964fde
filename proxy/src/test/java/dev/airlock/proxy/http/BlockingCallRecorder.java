package dev.airlock.proxy.http;

import java.util.ArrayList;
import java.util.List;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * How BlockHound is set up for this module's tests (installed before the first test by
 * blockhound-junit-platform; Netty's own integration marks its event-loop threads non-blocking).
 * Every blocking call on an event loop is remembered with its stack and then fails as usual, so a
 * test can assert none happened even where the error itself was swallowed and turned into a 500.
 *
 * <p>Beyond BlockHound's JDK list, a MapDB commit and an fsync count as blocking: they are the
 * slow writes this project keeps off the event loops.
 */
public final class BlockingCallRecorder implements BlockHoundIntegration {
    private static final List<Throwable> SEEN = new ArrayList<>();

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.markAsBlocking("org.mapdb.DB", "commit", "()V");
        builder.markAsBlocking("sun.nio.ch.FileChannelImpl", "force", "(Z)V");
        builder.blockingMethodCallback(method -> {
            BlockingOperationError e = new BlockingOperationError(method);
            AssertionError seen = new AssertionError("blocking call " + method + " on " + Thread.currentThread().getName(), e);
            synchronized (SEEN) {
                SEEN.add(seen);
            }
            // Printed here too: the route that catches the error may turn it into a bare 500.
            seen.printStackTrace();
            throw e;
        });
    }

    /** The blocking calls seen on event loops since the last call, and forgets them. */
    public static List<Throwable> drain() {
        synchronized (SEEN) {
            List<Throwable> out = new ArrayList<>(SEEN);
            SEEN.clear();
            return out;
        }
    }
}
