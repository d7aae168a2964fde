package dev.airlock.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileNotFoundException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final SingleFlight<String, Integer> flights = new SingleFlight<>();

    @AfterEach
    void close() {
        pool.shutdownNow();
    }

    @Test
    void callersAskingWhileARunIsInProgressShareItAndALaterCallerStartsAfresh() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = flights.run("k", pool, () -> {
            release.await(10, TimeUnit.SECONDS);
            return runs.incrementAndGet();
        });
        CompletableFuture<Integer> second = flights.run("k", pool, runs::incrementAndGet);
        assertSame(first, second);
        assertEquals(1, flights.inFlight());
        release.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertEquals(0, flights.inFlight());
        assertEquals(2, flights.run("k", pool, runs::incrementAndGet).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailedRunFailsWithItsOwnExceptionAndIsNotRemembered() throws Exception {
        CompletableFuture<Integer> failed = flights.start("k",
                () -> CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("upstream gone");
                }, pool));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertEquals(IllegalStateException.class, e.getCause().getClass());
        failed.handle((v, err) -> {
            assertEquals(IllegalStateException.class, err.getClass());
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertEquals(0, flights.inFlight());
        assertEquals(7, flights.start("k", () -> CompletableFuture.completedFuture(7)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStartThatThrowsOrARunThatFinishesAtOnceLeavesTheKeyFree() throws Exception {
        CompletableFuture<Integer> thrown = flights.start("k", () -> {
            throw new IllegalArgumentException("bad");
        });
        assertEquals(IllegalArgumentException.class,
                assertThrows(ExecutionException.class, thrown::get).getCause().getClass());
        CompletableFuture<Integer> checked = flights.run("k", Runnable::run, () -> {
            throw new FileNotFoundException("no such file");
        });
        assertEquals(FileNotFoundException.class,
                assertThrows(ExecutionException.class, checked::get).getCause().getClass());
        assertEquals(3, flights.run("k", Runnable::run, () -> 3).get());
        assertEquals(0, flights.inFlight());
    }
}
