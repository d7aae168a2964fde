package dev.airlock.proxy.upstream;

import dev.airlock.config.UpstreamConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls one upstream registry. Every call goes through a bulkhead per registry (bounded
 * concurrency), a bulkhead per host (bounded connections to each host), a circuit breaker (a dead
 * upstream is not hammered and callers fall back to stale copies at once) and, for idempotent
 * GETs, retries with exponential backoff on connection failures and 5xx answers.
 *
 * <p>Two kinds of threads: the callers' executor, where blocking calls wait for an answer, and
 * the HttpClient's own executor, which only moves bytes and completes futures. Sharing one pool
 * let blocked callers starve the HttpClient of the threads that would have unblocked them.
 * Response bodies are read under {@link BodyWatchdog}, so a stalled body ends in a 504 instead of
 * holding a caller thread for good.
 */
public final class UpstreamClient {
    private static final int BUFFER = 64 * 1024;
    private final String name;
    private final HttpClient http;
    private final UpstreamConfig config;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final Bulkhead bulkhead;
    private final ConcurrentMap<String, Bulkhead> hosts = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private volatile java.util.function.BiConsumer<String, Duration> observer = (outcome, took) -> { };
    private volatile java.time.Instant lastSuccessAt;
    /** The last failure and when it happened, replaced together. */
    private volatile Failure lastFailure;

    private record Failure(String message, java.time.Instant at) {
    }

    /**
     * @param executor the callers' pool: {@link #get} and {@link #post} wait on it. The HttpClient
     *                 gets a separate pool of its own.
     */
    public UpstreamClient(String name, UpstreamConfig config, ExecutorService executor) {
        this(name, config, executor, null, null);
    }

    /**
     * @param proxies the HTTP proxy to reach upstreams through (null: direct)
     * @param tls     trust for upstream TLS (null: the JDK's)
     */
    public UpstreamClient(String name, UpstreamConfig config, ExecutorService executor, java.net.ProxySelector proxies,
                          javax.net.ssl.SSLContext tls) {
        this.name = name;
        this.config = config;
        this.executor = executor;
        HttpClient.Builder builder = HttpClient.newBuilder();
        if (proxies != null) {
            builder.proxy(proxies);
        }
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                // Cached, not fixed: its tasks are short and never block, and a fixed pool is the
                // very thing that can run dry. Idle threads end after a minute.
                .executor(Executors.newCachedThreadPool(daemonThreads("airlock-http-" + name)))
                .build();
        this.breaker = CircuitBreaker.of("upstream-" + name, CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(15))
                .permittedNumberOfCallsInHalfOpenState(2)
                .recordExceptions(IOException.class, UpstreamException.class, NotRetried.class)
                // A full disk on our side says nothing about the upstream's health.
                .ignoreExceptions(ConsumerFailed.class)
                .build());
        this.retry = Retry.of("upstream-" + name, RetryConfig.custom()
                .maxAttempts(1 + config.retries())
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(200), 2.0))
                .retryOnException(UpstreamClient::retryable)
                .build());
        this.bulkhead = Bulkhead.of("upstream-" + name, BulkheadConfig.custom()
                .maxConcurrentCalls(config.maxConcurrent())
                .maxWaitDuration(Duration.ofSeconds(10))
                .build());
    }

    public String name() {
        return name;
    }

    public UpstreamConfig config() {
        return config;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Its breaker, last answer and last failure, for the status page. */
    public UpstreamHealth health() {
        Failure f = lastFailure;
        return new UpstreamHealth(name, breaker.getState().name().toLowerCase(java.util.Locale.ROOT), lastSuccessAt,
                f == null ? null : f.message(), f == null ? null : f.at());
    }

    /** Told the outcome ({@code ok} or {@code error}) and latency of every call, retries included (metrics). */
    public void observe(java.util.function.BiConsumer<String, Duration> outcomeAndLatency) {
        this.observer = outcomeAndLatency;
    }

    private void record(boolean ok, long startNanos) {
        if (ok) {
            lastSuccessAt = java.time.Instant.now();
        }
        try {
            observer.accept(ok ? "ok" : "error", Duration.ofNanos(System.nanoTime() - startNanos));
        } catch (RuntimeException e) {
            // Metrics are a side path.
        }
    }

    /** Transient failures only: a 404, a limit crossed, or a body already half stored is an answer, not a failure to retry. */
    private static boolean retryable(Throwable t) {
        if (t instanceof NotRetried || t instanceof ConsumerFailed) {
            return false;
        }
        if (t instanceof UpstreamException u) {
            return u.status() >= 500 && !(u.getCause() instanceof CallNotPermittedException);
        }
        return t instanceof IOException;
    }

    /** GET a metadata document into memory, bounded by {@code maxMetadataBytes}. Runs on the executor. */
    public CompletableFuture<UpstreamResponse> get(URI uri, Map<String, String> headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return guarded(uri, () -> send(uri, headers, null));
            } catch (UpstreamException | IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor);
    }

    /** POST (not retried: only idempotent calls are). */
    public CompletableFuture<UpstreamResponse> post(URI uri, Map<String, String> headers, byte[] body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return breaker.executeCallable(() -> bulkhead.executeCallable(
                        () -> host(uri).executeCallable(() -> send(uri, headers, body))));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(translate(uri, e));
            }
        }, executor);
    }

    /**
     * Streams an artifact to {@code out} without holding it in memory. Returns the upstream status;
     * a non-200 answer writes nothing. Retried on transient failures only before the first byte was
     * handed to {@code out}: after that, a retry would append to (or restart) a half-written file.
     *
     * @throws UpstreamException the upstream failed (502/503/504)
     * @throws IOException       {@code out} failed (e.g. the disk is full); not an upstream failure
     */
    public int download(URI uri, OutputStreamFactory out) throws UpstreamException, IOException {
        return guarded(uri, () -> downloadOnce(uri, out));
    }

    private int downloadOnce(URI uri, OutputStreamFactory out) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri).GET()
                .timeout(config.requestTimeout())
                .header("Accept-Encoding", "identity")
                .header("User-Agent", "airlock")
                .build();
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = BodyWatchdog.watch(resp.body(), config.bodyIdleTimeout(), null, "the artifact " + uri)) {
            int st = resp.statusCode();
            if (st >= 500) {
                throw new UpstreamException(502, name + " upstream answered " + st + " for " + uri);
            }
            if (st != 200) {
                return st;
            }
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > config.maxArtifactBytes()) {
                throw new NotRetried(new UpstreamException(502, "artifact too large: " + declared + " bytes at " + uri));
            }
            OutputStream os = consumer(out::open);
            try {
                copy(uri, in, os);
            } catch (Exception e) {
                // The failure that stopped the copy is the one to report, not a second one on close.
                try {
                    os.close();
                } catch (IOException c) {
                    e.addSuppressed(c);
                }
                throw e;
            }
            consumer(() -> {
                os.close();
                return null;
            });
            return st;
        }
    }

    private void copy(URI uri, InputStream in, OutputStream os) throws Exception {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                if (total == 0) {
                    throw e;
                }
                UpstreamException u = new UpstreamException(e instanceof HttpTimeoutException ? 504 : 502,
                        name + " upstream broke off " + uri + " after " + total + " bytes: " + e.getMessage(), e);
                throw new NotRetried(u);
            }
            if (n < 0) {
                return;
            }
            total += n;
            if (total > config.maxArtifactBytes()) {
                throw new NotRetried(new UpstreamException(502,
                        "artifact too large: over " + config.maxArtifactBytes() + " bytes at " + uri));
            }
            int len = n;
            consumer(() -> {
                os.write(buf, 0, len);
                return null;
            });
        }
    }

    private static <T> T consumer(Callable<T> io) throws ConsumerFailed {
        try {
            return io.call();
        } catch (Exception e) {
            throw new ConsumerFailed(e instanceof IOException io2 ? io2 : new IOException(e));
        }
    }

    /** Opens the destination only once the upstream said 200, so failed attempts leave nothing. */
    @FunctionalInterface
    public interface OutputStreamFactory {
        OutputStream open() throws IOException;
    }

    /** An upstream failure that must not be retried; the retry sees it, callers get {@link #failure}. */
    private static final class NotRetried extends Exception {
        private static final long serialVersionUID = 1L;
        final UpstreamException failure;

        NotRetried(UpstreamException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** The destination failed, not the upstream: neither retried nor counted against the upstream. */
    private static final class ConsumerFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final IOException failure;

        ConsumerFailed(IOException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** The bulkhead of one upstream host: the JDK client opens one connection per concurrent HTTP/1.1 call. */
    private Bulkhead host(URI uri) {
        String key = uri.getHost() + ":" + uri.getPort();
        return hosts.computeIfAbsent(key, k -> Bulkhead.of("upstream-" + name + "-" + k, BulkheadConfig.custom()
                .maxConcurrentCalls(config.maxConnectionsPerHost())
                .maxWaitDuration(Duration.ofSeconds(10))
                .build()));
    }

    private <T> T guarded(URI uri, Callable<T> call) throws UpstreamException, IOException {
        Bulkhead host = host(uri);
        Callable<T> decorated = Retry.decorateCallable(retry,
                () -> breaker.executeCallable(() -> bulkhead.executeCallable(() -> host.executeCallable(call))));
        long start = System.nanoTime();
        try {
            T t = decorated.call();
            record(true, start);
            return t;
        } catch (ConsumerFailed e) {
            record(true, start);
            throw e.failure;
        } catch (Exception e) {
            record(false, start);
            UpstreamException translated = translate(uri, e);
            lastFailure = new Failure(String.valueOf(translated.getMessage()), java.time.Instant.now());
            throw translated;
        }
    }

    private UpstreamException translate(URI uri, Exception e) {
        if (e instanceof UpstreamException u) {
            return u;
        }
        if (e instanceof NotRetried n) {
            return n.failure;
        }
        if (e instanceof CallNotPermittedException) {
            return new UpstreamException(502, name + " upstream circuit breaker is open (recent failures)", e);
        }
        if (e instanceof BulkheadFullException) {
            return new UpstreamException(503, name + " upstream is saturated (too many concurrent calls)", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new UpstreamException(504, name + " upstream timed out", e);
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new UpstreamException(502, name + " upstream unreachable: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }

    private UpstreamResponse send(URI uri, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                .header("User-Agent", "airlock");
        headers.forEach(b::header);
        if (body == null) {
            b.GET();
        } else {
            b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        long started = System.nanoTime();
        HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        // What is left of requestTimeout bounds the body: the JDK's timeout stopped at the headers.
        Duration left = config.requestTimeout().minusNanos(System.nanoTime() - started);
        try (InputStream in = BodyWatchdog.watch(resp.body(), config.bodyIdleTimeout(),
                left.isNegative() ? Duration.ZERO : left, "the document " + uri)) {
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > config.maxMetadataBytes()) {
                throw new NotRetried(new UpstreamException(502, "upstream document too large: " + declared + " bytes at " + uri));
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxMetadataBytes() + 1));
            if (bytes.length > config.maxMetadataBytes()) {
                throw new NotRetried(new UpstreamException(502, "upstream document too large: over "
                        + config.maxMetadataBytes() + " bytes at " + uri));
            }
            if (resp.statusCode() >= 500) {
                throw new UpstreamException(502, name + " upstream answered " + resp.statusCode() + " for " + uri);
            }
            return new UpstreamResponse(resp.statusCode(), resp.headers(), bytes);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
