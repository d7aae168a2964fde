package dev.airlock.proxy.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.common.SingleFlight;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream metadata: parsed copies in memory (Caffeine), the last good raw copy on disk,
 * revalidated with ETag once older than the TTL. When the upstream fails (down, 5xx, timeout,
 * breaker open, malformed body), the last good copy is served instead (stale-if-error).
 *
 * <p>A 404 or 410 is remembered for a short while ({@code notFoundTtl}), so a typo repeated by
 * every build of a team costs one upstream call, not one per build; it is short because a name
 * that does not exist yet may be published any minute.
 *
 * @param <T> the parsed document
 */
public final class MetadataCache<T> {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataCache.class);
    private static final int DISK_FORMAT = 1;

    /** Turns raw upstream bytes into a document, or says clearly why they are unusable. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String key, byte[] body, String contentType) throws MalformedMetadataException;
    }

    /** A document that knows its own heap size better than the default guess (three times its bytes). */
    public interface Sized {
        int weight();
    }

    private static int weigh(Object doc, int rawLength) {
        return doc instanceof Sized s ? Math.max(1024, s.weight()) : Math.max(1024, rawLength * 3);
    }

    /** A document and how fresh it is. {@code stale} means the upstream failed and this is the last good copy. */
    public record Result<T>(T document, String upstreamEtag, boolean stale, boolean notFound, boolean hit) {
    }

    private record Entry<T>(T document, String etag, String contentType, long fetchedAt, int weight) {
    }

    private final UpstreamClient client;
    private final Parser<T> parser;
    private final Path diskDir;
    private final Duration ttl;
    private final Clock clock;
    private final Cache<String, Entry<T>> memory;
    private final Duration notFoundTtl;
    /** When the upstream last said 404/410 for a key (clock millis). */
    private final Cache<String, Long> notFound;
    private final SingleFlight<String, Result<T>> inFlight = new SingleFlight<>();
    /** Reads of the disk copy; idle threads end, so an unused cache holds none. Lock-free hand-off: the caller is an event loop. */
    private final java.util.concurrent.ThreadPoolExecutor diskReads = diskReadPool();
    private volatile java.util.function.Consumer<Boolean> observer = hit -> { };

    /** Remembers not-found answers for the client's {@code upstream.notFoundTtl}. */
    public MetadataCache(UpstreamClient client, Parser<T> parser, Path diskDir, Duration ttl, long maxMemoryBytes,
                         Clock clock) throws IOException {
        this(client, parser, diskDir, ttl, client.config().notFoundTtl(), maxMemoryBytes, clock);
    }

    /** @param notFoundTtl how long an upstream 404/410 is answered from memory; zero turns that off */
    public MetadataCache(UpstreamClient client, Parser<T> parser, Path diskDir, Duration ttl, Duration notFoundTtl,
                         long maxMemoryBytes, Clock clock) throws IOException {
        this.client = client;
        this.notFoundTtl = notFoundTtl;
        this.notFound = Caffeine.newBuilder().maximumSize(100_000).build();
        this.parser = parser;
        this.diskDir = diskDir;
        this.ttl = ttl;
        this.clock = clock;
        Files.createDirectories(diskDir);
        this.memory = Caffeine.newBuilder()
                .maximumWeight(maxMemoryBytes)
                .weigher((String k, Entry<T> e) -> e.weight())
                .build();
    }

    private static java.util.concurrent.ThreadPoolExecutor diskReadPool() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(2, 2, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedTransferQueue<>(), r -> {
                    Thread t = new Thread(r, "metadata-disk-read");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public UpstreamClient client() {
        return client;
    }

    /** Told true for each answer from memory without an upstream call, false otherwise (metrics). */
    public void observe(java.util.function.Consumer<Boolean> hitOrMiss) {
        this.observer = hitOrMiss;
    }

    private void count(boolean hit) {
        try {
            observer.accept(hit);
        } catch (RuntimeException e) {
            LOG.debug("cache observer failed", e);
        }
    }

    /** Forgets the in-memory copy and a remembered not-found (tests; the disk copy stays as the stale-if-error fallback). */
    public void invalidateMemory(String key) {
        memory.invalidate(key);
        notFound.invalidate(key);
    }

    /**
     * The document at {@code uri}, cached under {@code key}. {@code forceRevalidate} makes a fresh
     * copy revalidate anyway (clients that send {@code Cache-Control: max-age=0}).
     */
    public CompletableFuture<Result<T>> get(String key, URI uri, Map<String, String> headers) {
        return get(key, () -> uri, headers);
    }

    /** As above, the URI made only when the upstream must be asked (a fresh copy in memory needs none). */
    public CompletableFuture<Result<T>> get(String key, java.util.function.Supplier<URI> uri, Map<String, String> headers) {
        Entry<T> e = memory.getIfPresent(key);
        if (e != null && clock.millis() - e.fetchedAt() < ttl.toMillis()) {
            count(true);
            return CompletableFuture.completedFuture(new Result<>(e.document(), e.etag(), false, false, true));
        }
        Long missingSince = notFound.getIfPresent(key);
        if (missingSince != null) {
            if (clock.millis() - missingSince < notFoundTtl.toMillis()) {
                count(true);
                return CompletableFuture.completedFuture(new Result<>(null, null, false, true, true));
            }
            notFound.asMap().remove(key, missingSince);
        }
        return inFlight.start(key, () -> {
            count(false);
            URI at = uri.get();
            if (e != null) {
                return revalidate(key, at, headers, e);
            }
            // The last good copy is read from disk (up to tens of MiB) on a thread of its own, never on
            // the event loop that asked.
            return CompletableFuture.supplyAsync(() -> readDisk(key), diskReads)
                    .thenCompose(known -> revalidate(key, at, headers, known));
        });
    }

    private CompletableFuture<Result<T>> revalidate(String key, URI uri, Map<String, String> headers, Entry<T> known) {
        Map<String, String> h = new HashMap<>(headers);
        if (known != null && known.etag() != null) {
            h.put("If-None-Match", known.etag());
        }
        return client.get(uri, h).handle((resp, err) -> settle(key, known, resp, err));
    }

    private Result<T> settle(String key, Entry<T> known, UpstreamResponse resp, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause == null) {
            int st = resp.status();
            if (st == 304 && known != null) {
                Entry<T> refreshed = new Entry<>(known.document(), known.etag(), known.contentType(), clock.millis(), known.weight());
                memory.put(key, refreshed);
                return new Result<>(known.document(), known.etag(), false, false, true);
            }
            if (st == 404 || st == 410) {
                if (!notFoundTtl.isZero()) {
                    notFound.put(key, clock.millis());
                }
                return new Result<>(null, null, false, true, false);
            }
            if (st == 200) {
                String ct = resp.header("Content-Type");
                try {
                    T doc = parser.parse(key, resp.body(), ct);
                    String etag = resp.header("ETag");
                    Entry<T> fresh = new Entry<>(doc, etag, ct, clock.millis(), weigh(doc, resp.body().length));
                    memory.put(key, fresh);
                    notFound.invalidate(key);
                    writeDisk(key, etag, ct, resp.body());
                    return new Result<>(doc, etag, false, false, false);
                } catch (MalformedMetadataException m) {
                    cause = new UpstreamException(502, "malformed upstream metadata: " + m.getMessage(), m);
                }
            } else {
                cause = new UpstreamException(502, client.name() + " upstream answered " + st + " for " + key);
            }
        }
        if (known != null) {
            LOG.warn("serving last good copy of {} (upstream failed: {})", key, cause.getMessage());
            memory.put(key, known);
            return new Result<>(known.document(), known.etag(), true, false, true);
        }
        throw new CompletionException(cause);
    }

    private Path diskPath(String key) {
        String h = dev.airlock.common.Hashes.sha256Hex(key);
        return diskDir.resolve(h.substring(0, 2)).resolve(h);
    }

    private void writeDisk(String key, String etag, String contentType, byte[] body) {
        Path p = diskPath(key);
        try {
            Files.createDirectories(p.getParent());
            Path t = Files.createTempFile(p.getParent(), "md-", ".part");
            try (OutputStream os = Files.newOutputStream(t); DataOutputStream out = new DataOutputStream(os)) {
                out.writeInt(DISK_FORMAT);
                out.writeUTF(key);
                out.writeUTF(etag == null ? "" : etag);
                out.writeUTF(contentType == null ? "" : contentType);
                out.writeLong(clock.millis());
                out.writeInt(body.length);
                out.write(body);
            }
            try {
                Files.move(t, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(t, p, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The disk copy is only a fallback: failing to write it must not fail the request.
            LOG.warn("cannot keep last good copy of {}: {}", key, e.toString());
        }
    }

    private Entry<T> readDisk(String key) {
        Path p = diskPath(key);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        try (InputStream is = Files.newInputStream(p); DataInputStream in = new DataInputStream(is)) {
            if (in.readInt() != DISK_FORMAT || !in.readUTF().equals(key)) {
                return null;
            }
            String etag = in.readUTF();
            String ct = in.readUTF();
            in.readLong();
            int len = in.readInt();
            byte[] body = in.readNBytes(len);
            if (body.length != len) {
                return null;
            }
            T doc = parser.parse(key, body, ct.isEmpty() ? null : ct);
            // Loaded from disk: treat as old so it is revalidated at once, but usable as a fallback.
            return new Entry<>(doc, etag.isEmpty() ? null : etag, ct, 0, weigh(doc, len));
        } catch (IOException | MalformedMetadataException | RuntimeException e) {
            LOG.warn("ignoring unreadable cached copy of {}: {}", key, e.toString());
            return null;
        }
    }
}
