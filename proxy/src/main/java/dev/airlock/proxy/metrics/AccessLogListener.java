package dev.airlock.proxy.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.common.Json;
import dev.airlock.proxy.http.HttpExchange;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes every finished exchange: counts it in {@link AirlockMetrics} (requests, blocks) and
 * writes one access-log line with client address, method, path, package, version, decision,
 * status, duration and the request id the answer carried in {@code X-Request-Id}. Text by default; {@code logFormat: json} gives one JSON object per line
 * for log shippers. Fails open: a broken log or metric never changes an answer.
 */
public final class AccessLogListener implements HttpExchange.ExchangeListener {
    /** The logger name operators route to a file of its own. */
    public static final String LOGGER = "airlock.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final AirlockMetrics metrics;
    private final boolean json;
    private final LineSink sink;
    /** Null: records are made on the caller's thread (tests with a sink of their own). */
    private final AsyncLineSink<Entry> background;

    /** Where lines go; the slf4j logger in production, a list in tests. */
    @FunctionalInterface
    public interface LineSink {
        void write(String line);
    }

    /**
     * Production: the serving thread only takes a snapshot of the exchange; metrics, formatting
     * and the {@code airlock.access} logger run on a background thread.
     */
    public AccessLogListener(AirlockMetrics metrics, String logFormat) {
        this.metrics = metrics;
        this.json = "json".equalsIgnoreCase(logFormat);
        this.sink = LOG::info;
        this.background = new AsyncLineSink<>(this::record);
    }

    /** Records on the caller's thread into {@code sink}. */
    public AccessLogListener(AirlockMetrics metrics, String logFormat, LineSink sink) {
        this.metrics = metrics;
        this.json = "json".equalsIgnoreCase(logFormat);
        this.sink = sink;
        this.background = null;
    }

    @Override
    public void completed(HttpExchange ex) {
        try {
            Entry e = Entry.of(ex);
            if (background != null) {
                background.write(e);
            } else {
                record(e);
            }
        } catch (RuntimeException failure) {
            LOG.warn("access log failed (ignored)", failure);
        }
    }

    private void record(Entry e) {
        try {
            RouteLabels.Labels labels = RouteLabels.of(e.path);
            metrics.request(labels.ecosystem(), labels.route(), e.status, e.nanos);
            String decision = e.decision();
            if (e.status == 403 && !"-".equals(decision) && !"allowed".equals(decision)) {
                metrics.blocked(labels.ecosystem(), decision);
            }
            sink.write(json ? e.json() : e.text());
        } catch (RuntimeException failure) {
            LOG.warn("access log failed (ignored)", failure);
        }
    }

    /** What one line says, as taken from the exchange; split and formatted later, off the serving thread. */
    record Entry(String client, String method, String path, String described, String rawDecision, int status, long nanos,
                 Instant at, String requestId) {
        static Entry of(HttpExchange ex) {
            return new Entry(ex.clientAddress(), ex.method().name(), ex.rawPath(), ex.packageDescription(), ex.decision(),
                    ex.status(), ex.elapsedNanos(), Instant.now(), ex.requestId());
        }

        /** Package and version split out of {@code ecosystem:name@version}. */
        String pkg() {
            String p = described == null || described.isEmpty() ? "-" : described;
            int colon = p.indexOf(':');
            int at = p.lastIndexOf('@');
            return at > colon + 1 ? p.substring(0, at) : p;
        }

        String version() {
            String p = described == null || described.isEmpty() ? "-" : described;
            int colon = p.indexOf(':');
            int at = p.lastIndexOf('@');
            return at > colon + 1 ? p.substring(at + 1) : "-";
        }

        String decision() {
            return rawDecision == null || rawDecision.isEmpty() ? "-" : rawDecision;
        }

        long ms() {
            return TimeUnit.NANOSECONDS.toMillis(nanos);
        }

        String text() {
            return client + " \"" + method + " " + sanitize(path) + "\" " + status + " " + ms() + "ms pkg=" + sanitize(pkg())
                    + " version=" + sanitize(version()) + " decision=" + sanitize(decision()) + " request=" + sanitize(requestId);
        }

        String json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("time", at.toString());
            n.put("client", client);
            n.put("method", method);
            n.put("path", path);
            n.put("package", pkg());
            n.put("version", version());
            n.put("decision", decision());
            n.put("status", status);
            n.put("ms", ms());
            n.put("requestId", requestId);
            return n.toString();
        }

        /** Paths come from clients: keep control characters out of the text log (log injection). */
        private static String sanitize(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
            }
            return b.toString();
        }
    }
}
