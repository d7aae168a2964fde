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
import java.util.concurrent.ExecutorService;

/**
 * Calls one upstream registry. Every call goes through a bulkhead (bounded concurrency), a circuit
 * breaker (a dead upstream is not hammered and callers fall back to stale copies at once) and, for
 * idempotent GETs, retries with exponential backoff on connection failures and 5xx answers.
 */
public final class UpstreamClient {
    private static final int BUFFER = 64 * 1024;
    private final String name;
    private final HttpClient http;
    private final UpstreamConfig config;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final Bulkhead bulkhead;
    private final ExecutorService executor;
    private volatile java.util.function.BiConsumer<String, Duration> observer = (outcome, took) -> { };

    public UpstreamClient(String name, UpstreamConfig config, ExecutorService executor) {
        this.name = name;
        this.config = config;
        this.executor = executor;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor)
                .build();
        this.breaker = CircuitBreaker.of("upstream-" + name, CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(15))
                .permittedNumberOfCallsInHalfOpenState(2)
                .recordExceptions(IOException.class, UpstreamException.class)
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

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Told the outcome ({@code ok} or {@code error}) and latency of every call, retries included (metrics). */
    public void observe(java.util.function.BiConsumer<String, Duration> outcomeAndLatency) {
        this.observer = outcomeAndLatency;
    }

    private void record(boolean ok, long startNanos) {
        try {
            observer.accept(ok ? "ok" : "error", Duration.ofNanos(System.nanoTime() - startNanos));
        } catch (RuntimeException e) {
            // Metrics are a side path.
        }
    }

    /** Transient failures only: a 404 or a hash mismatch is an answer, not a failure to retry. */
    private static boolean retryable(Throwable t) {
        if (t instanceof UpstreamException u) {
            return u.status() >= 500 && !(u.getCause() instanceof CallNotPermittedException)
                    && !u.getMessage().contains("too large");
        }
        return t instanceof IOException;
    }

    /** GET a metadata document into memory, bounded by {@code maxMetadataBytes}. Runs on the executor. */
    public CompletableFuture<UpstreamResponse> get(URI uri, Map<String, String> headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return guarded(() -> fetchSmall(uri, headers));
            } catch (UpstreamException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor);
    }

    /** POST (not retried: only idempotent calls are). */
    public CompletableFuture<UpstreamResponse> post(URI uri, Map<String, String> headers, byte[] body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return breaker.executeCallable(() -> bulkhead.executeCallable(() -> send(uri, headers, body)));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(translate(uri, e));
            }
        }, executor);
    }

    /**
     * Streams an artifact to {@code out} without holding it in memory. Returns the upstream status;
     * a non-200 answer writes nothing. Retried on transient failures only before any byte arrived.
     */
    public int download(URI uri, OutputStreamFactory out) throws UpstreamException {
        return guarded(() -> {
            HttpRequest req = HttpRequest.newBuilder(uri).GET()
                    .timeout(config.requestTimeout())
                    .header("Accept-Encoding", "identity")
                    .header("User-Agent", "airlock")
                    .build();
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                int st = resp.statusCode();
                if (st >= 500) {
                    throw new UpstreamException(502, name + " upstream answered " + st + " for " + uri);
                }
                if (st != 200) {
                    return st;
                }
                long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > config.maxArtifactBytes()) {
                    throw new UpstreamException(502, "artifact too large: " + declared + " bytes at " + uri);
                }
                try (OutputStream os = out.open()) {
                    byte[] buf = new byte[BUFFER];
                    long total = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        if (total > config.maxArtifactBytes()) {
                            throw new UpstreamException(502, "artifact too large: over " + config.maxArtifactBytes() + " bytes at " + uri);
                        }
                        os.write(buf, 0, n);
                    }
                }
                return st;
            }
        });
    }

    /** Opens the destination only once the upstream said 200, so failed attempts leave nothing. */
    @FunctionalInterface
    public interface OutputStreamFactory {
        OutputStream open() throws IOException;
    }

    private <T> T guarded(Callable<T> call) throws UpstreamException {
        Callable<T> decorated = Retry.decorateCallable(retry,
                () -> breaker.executeCallable(() -> bulkhead.executeCallable(call)));
        long start = System.nanoTime();
        try {
            T t = decorated.call();
            record(true, start);
            return t;
        } catch (Exception e) {
            record(false, start);
            throw translate(null, e);
        }
    }

    private UpstreamException translate(URI uri, Exception e) {
        if (e instanceof UpstreamException u) {
            return u;
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

    private UpstreamResponse fetchSmall(URI uri, Map<String, String> headers) throws IOException, InterruptedException, UpstreamException {
        return send(uri, headers, null);
    }

    private UpstreamResponse send(URI uri, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException, UpstreamException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                .header("User-Agent", "airlock");
        headers.forEach(b::header);
        if (body == null) {
            b.GET();
        } else {
            b.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = resp.body()) {
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > config.maxMetadataBytes()) {
                throw new UpstreamException(502, "upstream document too large: " + declared + " bytes at " + uri);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxMetadataBytes() + 1));
            if (bytes.length > config.maxMetadataBytes()) {
                throw new UpstreamException(502, "upstream document too large: over " + config.maxMetadataBytes() + " bytes at " + uri);
            }
            if (resp.statusCode() >= 500) {
                throw new UpstreamException(502, name + " upstream answered " + resp.statusCode() + " for " + uri);
            }
            return new UpstreamResponse(resp.statusCode(), resp.headers(), bytes);
        }
    }
}
