package dev.airlock.proxy;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.DownloadContext;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.FileSender;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.store.ArtifactStore;
import dev.airlock.proxy.store.DigestMismatchException;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.store.StoredArtifact;
import dev.airlock.proxy.upstream.UpstreamClient;
import dev.airlock.proxy.upstream.UpstreamException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.FileNotFoundException;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The download path shared by both ecosystems: ask policy, fetch once into the store while
 * verifying the published hash, ask policy again with the bytes at hand, then send from disk.
 */
public final class ArtifactService {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactService.class);
    private final ArtifactStore store;
    private final VerdictGate gate;
    private final Executor executor;

    public ArtifactService(ArtifactStore store, VerdictGate gate, Executor executor) {
        this.store = store;
        this.gate = gate;
        this.executor = executor;
    }

    /**
     * One artifact of one version.
     *
     * @param publishedAt the version's publish time (its earliest file), or null
     * @param refKey      stable key of the upstream file (its URL), so a later request finds the stored copy
     * @param file        the file as policy judges it (its own analysis and upload time), or null for the version
     */
    public record Request(PackageCoordinate coordinate, Instant publishedAt, URI upstream, ExpectedDigest expected,
                          String refKey, String contentType, UpstreamClient client, String fileName, ArtifactFile file) {
        public Request(PackageCoordinate coordinate, Instant publishedAt, URI upstream, ExpectedDigest expected,
                       String refKey, String contentType, UpstreamClient client, String fileName) {
            this(coordinate, publishedAt, upstream, expected, refKey, contentType, client, fileName, null);
        }
    }

    public void serve(HttpExchange ex, Request r) {
        DownloadContext who = new DownloadContext(ex.clientAddress(), ex.userAgent(), r.fileName(), ex.clientName());
        ex.describe(r.coordinate().toString(), "-");
        CompletionStage<Decision> before;
        try {
            before = r.file() == null ? gate.beforeDownload(r.coordinate(), r.publishedAt(), who)
                    : gate.beforeDownload(r.coordinate(), r.publishedAt(), r.file(), who);
        } catch (RuntimeException e) {
            before = CompletableFuture.failedFuture(e);
        }
        // Each step goes on at once when its answer is already there (a cached file of a version
        // decided a moment ago: the common case) and when it arrives otherwise.
        whenDone(ex, r, before.toCompletableFuture(), d -> {
            if (!d.serve()) {
                Answers.refused(ex, d);
                return;
            }
            whenDone(ex, r, fetch(r), a -> whenDone(ex, r, afterFetch(r, a).toCompletableFuture(), d2 -> {
                if (!d2.serve()) {
                    Answers.refused(ex, d2);
                    return;
                }
                ex.describe(r.coordinate().toString(), "allowed");
                FileSender.send(ex, a.path(), r.contentType(), a.sha256());
                served(r.coordinate(), who);
            }));
        });
    }

    /** A step of a download; any exception it throws answers the download as failed. */
    @FunctionalInterface
    private interface Step<T> {
        void accept(T value) throws Exception;
    }

    private static <T> void whenDone(HttpExchange ex, Request r, CompletableFuture<T> f, Step<T> next) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            run(ex, r, f.join(), null, next);
        } else {
            f.whenComplete((value, err) -> run(ex, r, value, err, next));
        }
    }

    private static <T> void run(HttpExchange ex, Request r, T value, Throwable err, Step<T> next) {
        try {
            if (err != null) {
                fail(ex, r, err);
            } else {
                next.accept(value);
            }
        } catch (Exception e) {
            fail(ex, r, e);
        }
    }

    private CompletionStage<Decision> afterFetch(Request r, StoredArtifact a) {
        try {
            return r.file() == null ? gate.afterFetch(r.coordinate(), a.path(), a.sha256())
                    : gate.afterFetch(r.coordinate(), r.file(), a.path(), a.sha256());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Fetches, verifies and sends a file whose version the caller already checked with policy
     * (PEP 658 metadata files: they are read by resolvers, not installed, and are not downloads).
     */
    public void serveUnchecked(HttpExchange ex, Request r) {
        fetch(r).whenComplete((a, err) -> {
            try {
                if (err != null) {
                    fail(ex, r, err);
                } else {
                    FileSender.send(ex, a.path(), r.contentType(), a.sha256());
                }
            } catch (Exception e) {
                fail(ex, r, e);
            }
        });
    }

    private CompletableFuture<StoredArtifact> fetch(Request r) {
        return store.getOrFetch(r.refKey(), r.expected(), opener -> {
            int st = r.client().download(r.upstream(), opener::open);
            if (st == 404 || st == 410) {
                return false;
            }
            if (st != 200) {
                throw new UpstreamException(502, "upstream answered " + st + " for " + r.fileName());
            }
            return true;
        }, executor);
    }

    private void served(PackageCoordinate c, DownloadContext who) {
        try {
            gate.served(c, who);
        } catch (RuntimeException e) {
            LOG.warn("recording download of {} failed", c, e);
        }
    }

    private static void fail(HttpExchange ex, Request r, Throwable err) {
        Throwable t = err;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof DigestMismatchException) {
            LOG.warn("integrity failure for {} from {}: {}", r.coordinate(), r.upstream(), t.getMessage());
            Answers.failed(ex, 502, "integrity_mismatch", "Integrity check failed for " + r.fileName() + ": " + t.getMessage());
        } else if (t instanceof FileNotFoundException) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "upstream has no file " + r.fileName());
        } else if (t instanceof UpstreamException u) {
            Answers.failed(ex, u.status(), "upstream_error", u.getMessage());
        } else if (t instanceof dev.airlock.proxy.store.StorageFullException) {
            LOG.error("artifact store full while storing {}: {}", r.coordinate(), t.getMessage());
            Answers.failed(ex, 503, "storage_full", "Airlock cannot store " + r.fileName() + ": its data disk is full");
        } else {
            // Policy errors fail closed: nothing is served when a verdict cannot be reached.
            LOG.warn("download of {} failed", r.coordinate(), t);
            Answers.failed(ex, 503, "policy_unavailable", "Airlock could not decide on " + r.coordinate() + ": "
                    + t.getClass().getSimpleName());
        }
    }
}
