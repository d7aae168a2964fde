package dev.airlock.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Airlock's one metrics registry. Every series is named {@code airlock_...} in the Prometheus
 * text output so one scrape config and one dashboard prefix cover everything, JVM included.
 * Every method fails open: a metrics problem is logged and never reaches the serving path.
 * Label values are squeezed into a small fixed alphabet so that a hostile client cannot create
 * unbounded series by sending odd paths.
 */
public final class AirlockMetrics implements AutoCloseable {
    private final java.util.concurrent.ConcurrentHashMap<String, io.micrometer.core.instrument.Meter> meters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final Logger LOG = LoggerFactory.getLogger(AirlockMetrics.class);
    private static final String PREFIX = "airlock.";
    private static final Pattern LABEL_UNSAFE = Pattern.compile("[^a-z0-9_.-]");
    /** Breaker states as Resilience4j names them, lower-cased. */
    public static final List<String> BREAKER_STATES = List.of("closed", "open", "half_open", "disabled", "forced_open");
    /** Verdict states as the policy module names them. */
    public static final List<String> VERDICT_STATES = List.of("allowed", "blocked", "quarantined", "pending");

    private final PrometheusMeterRegistry registry;
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "metrics-refresh");
                t.setDaemon(true);
                return t;
            });
    private final JvmGcMetrics gc;

    private final java.util.List<java.util.function.Supplier<dev.airlock.proxy.upstream.UpstreamHealth>> upstreams =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Adds an upstream to what {@link #upstreamHealth()} reports. */
    public void upstreamHealth(java.util.function.Supplier<dev.airlock.proxy.upstream.UpstreamHealth> health) {
        upstreams.add(health);
    }

    /** Each upstream's breaker, last answer and last failure, for the status page. */
    public java.util.List<dev.airlock.proxy.upstream.UpstreamHealth> upstreamHealth() {
        java.util.List<dev.airlock.proxy.upstream.UpstreamHealth> out = new java.util.ArrayList<>();
        for (java.util.function.Supplier<dev.airlock.proxy.upstream.UpstreamHealth> s : upstreams) {
            out.add(s.get());
        }
        return out;
    }

    public AirlockMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
            }
        });
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** One answered HTTP request; {@code route} comes from {@link RouteLabels}. */
    public void request(String ecosystem, String route, int status, long nanos) {
        safely(() -> {
            // Meters are looked up once per label set, by a key that costs no string building or
            // label cleaning: registering per request cost more than serving a cached tarball.
            RequestMeters m = requestMeters.get(new RequestKey(ecosystem, route, status));
            if (m == null) {
                m = requestMeters.computeIfAbsent(new RequestKey(ecosystem, route, status), this::requestMeters);
            }
            m.count().increment();
            m.duration().record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
    }

    private record RequestKey(String ecosystem, String route, int status) {
    }

    private record RequestMeters(Counter count, Timer duration) {
    }

    private final java.util.concurrent.ConcurrentHashMap<RequestKey, RequestMeters> requestMeters =
            new java.util.concurrent.ConcurrentHashMap<>();

    private RequestMeters requestMeters(RequestKey k) {
        String eco = label(k.ecosystem());
        String rt = label(k.route());
        String st = Integer.toString(k.status());
        Counter c = (Counter) meters.computeIfAbsent("requests|" + eco + "|" + rt + "|" + st, x -> Counter.builder("requests")
                .description("HTTP requests answered").tags("ecosystem", eco, "route", rt, "status", st)
                .register(registry));
        Timer t = (Timer) meters.computeIfAbsent("duration|" + eco + "|" + rt, x -> Timer.builder("request.duration")
                .description("Time to answer an HTTP request").tags("ecosystem", eco, "route", rt)
                .register(registry));
        return new RequestMeters(c, t);
    }

    public void cacheHit(String ecosystem, String kind) {
        cache(ecosystem, kind, "hit");
    }

    public void cacheMiss(String ecosystem, String kind) {
        cache(ecosystem, kind, "miss");
    }

    private void cache(String ecosystem, String kind, String result) {
        safely(() -> ((Counter) meters.computeIfAbsent("cache|" + ecosystem + "|" + kind + "|" + result,
                k -> Counter.builder("cache.requests").description("Cache look-ups by result")
                        .tags("ecosystem", label(ecosystem), "kind", label(kind), "result", result)
                        .register(registry))).increment());
    }

    /** One upstream call; {@code outcome} e.g. {@code ok}, {@code error}, {@code timeout}, {@code rejected}. */
    public void upstream(String ecosystem, String outcome, Duration latency) {
        safely(() -> Timer.builder("upstream.duration").description("Upstream registry call latency")
                .tags("ecosystem", label(ecosystem), "outcome", label(outcome))
                .register(registry).record(latency));
    }

    /**
     * A circuit breaker's state as one gauge per state (1 for the current one, 0 otherwise), so a
     * dashboard can alert on {@code airlock_upstream_breaker_state{state="open"} == 1}.
     *
     * @param state supplies the current state, e.g. {@code breaker.getState().name()}
     */
    public void breaker(String upstream, Supplier<String> state) {
        safely(() -> {
            for (String s : BREAKER_STATES) {
                Gauge.builder("upstream.breaker.state", () -> s.equals(normalizedState(state)) ? 1 : 0)
                        .description("Circuit breaker state per upstream (1 = current)")
                        .tags("upstream", label(upstream), "state", s).register(registry);
            }
        });
    }

    private static String normalizedState(Supplier<String> state) {
        try {
            String s = state.get();
            return s == null ? "" : s.toLowerCase(Locale.ROOT);
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * Versions per verdict state. The supplier may be costly (a store scan): it runs on a timer
     * thread every {@link #VERDICT_COUNT_TTL}, never on the scrape's event loop, and one scan
     * serves every state's gauge.
     */
    public void verdicts(Supplier<Map<String, ? extends Number>> countsByState) {
        safely(() -> {
            Supplier<Map<String, ? extends Number>> counts = new BackgroundValue<>(countsByState, Map.of(),
                    VERDICT_COUNT_TTL, refresher);
            for (String s : VERDICT_STATES) {
                Gauge.builder("verdicts", () -> count(counts, s))
                        .description("Versions by verdict state").tags("state", s).register(registry);
            }
        });
    }

    static final Duration VERDICT_COUNT_TTL = Duration.ofSeconds(10);

    private static double count(Supplier<Map<String, ? extends Number>> counts, String state) {
        try {
            Number n = counts.get().get(state);
            return n == null ? 0 : n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** A download or listing refused; {@code reasonCode} is the decision's stable code. */
    public void blocked(String ecosystem, String reasonCode) {
        safely(() -> Counter.builder("blocks").description("Refused downloads by reason code")
                .tags("ecosystem", label(ecosystem), "reason", label(reasonCode)).register(registry).increment());
    }

    public void queueDepth(IntSupplier depth) {
        safely(() -> Gauge.builder("analysis.queue.depth", () -> {
            try {
                return depth.getAsInt();
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }).description("Versions waiting for or in analysis").register(registry));
    }

    /** How long a version waited in the analysis queue before its analysis started. */
    public void queueWait(Duration waited) {
        safely(() -> Timer.builder("analysis.queue.wait").description("Time from submit to analysis start")
                .register(registry).record(waited));
    }

    /** One analysis finished; {@code recommendation} e.g. {@code clean}, {@code suspicious}, {@code malicious}. */
    public void analysis(String ecosystem, String recommendation, Duration took) {
        safely(() -> Timer.builder("analysis.duration").description("Analysis duration by outcome")
                .tags("ecosystem", label(ecosystem), "recommendation", label(recommendation))
                .register(registry).record(took));
    }

    /**
     * One sandbox run. {@code outcome}: {@code completed}, {@code timeout}, {@code oom},
     * {@code error} or {@code unavailable}; timeouts and failures also count on their own series.
     */
    public void sandboxRun(String ecosystem, String outcome, Duration took) {
        safely(() -> {
            String o = label(outcome);
            Timer.builder("sandbox.run").description("Sandbox runs by outcome")
                    .tags("ecosystem", label(ecosystem), "outcome", o).register(registry).record(took);
            if (o.equals("timeout")) {
                Counter.builder("sandbox.timeouts").description("Sandbox runs that hit a deadline")
                        .tags("ecosystem", label(ecosystem)).register(registry).increment();
            } else if (!o.equals("completed")) {
                Counter.builder("sandbox.failures").description("Sandbox runs that failed (engine, OOM, error)")
                        .tags("ecosystem", label(ecosystem), "outcome", o).register(registry).increment();
            }
        });
    }

    /** An analysis that could not run for infrastructure reasons (never a verdict), by cause. */
    public void infrastructureFailure(String ecosystem, String cause) {
        safely(() -> Counter.builder("analysis.infrastructure.failures")
                .description("Analyses that could not run (engine down, container failed, fetch failed), by cause")
                .tags("ecosystem", label(ecosystem), "cause", label(cause)).register(registry).increment());
    }

    static String label(String value) {
        if (value == null || value.isEmpty()) {
            return "none";
        }
        String v = LABEL_UNSAFE.matcher(value.toLowerCase(Locale.ROOT)).replaceAll("_");
        return v.length() > 48 ? v.substring(0, 48) : v;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("metrics update failed (ignored)", e);
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        gc.close();
        registry.close();
    }
}
