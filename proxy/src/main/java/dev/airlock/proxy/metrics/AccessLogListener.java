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

    /** Where lines go; the slf4j logger in production, a list in tests. */
    @FunctionalInterface
    public interface LineSink {
        void write(String line);
    }

    /** Production: lines go to the {@code airlock.access} logger from a background thread. */
    public AccessLogListener(AirlockMetrics metrics, String logFormat) {
        this(metrics, logFormat, new AsyncLineSink(LOG::info));
    }

    public AccessLogListener(AirlockMetrics metrics, String logFormat, LineSink sink) {
        this.metrics = metrics;
        this.json = "json".equalsIgnoreCase(logFormat);
        this.sink = sink;
    }

    @Override
    public void completed(HttpExchange ex) {
        try {
            Entry e = Entry.of(ex);
            RouteLabels.Labels labels = RouteLabels.of(e.path);
            metrics.request(labels.ecosystem(), labels.route(), e.status, ex.elapsedNanos());
            if (e.status == 403 && !"-".equals(e.decision) && !"allowed".equals(e.decision)) {
                metrics.blocked(labels.ecosystem(), e.decision);
            }
            sink.write(json ? e.json() : e.text());
        } catch (RuntimeException failure) {
            LOG.warn("access log failed (ignored)", failure);
        }
    }

    /** One line's fields; package and version split out of {@code ecosystem:name@version}. */
    record Entry(String client, String method, String path, String pkg, String version, String decision,
                 int status, long ms, String requestId) {
        static Entry of(HttpExchange ex) {
            String described = ex.packageDescription();
            String pkg = described == null || described.isEmpty() ? "-" : described;
            String version = "-";
            int colon = pkg.indexOf(':');
            int at = pkg.lastIndexOf('@');
            if (at > colon + 1) {
                version = pkg.substring(at + 1);
                pkg = pkg.substring(0, at);
            }
            String decision = ex.decision() == null || ex.decision().isEmpty() ? "-" : ex.decision();
            return new Entry(ex.clientAddress(), ex.method().name(), ex.rawPath(), pkg, version, decision,
                    ex.status(), TimeUnit.NANOSECONDS.toMillis(ex.elapsedNanos()), ex.requestId());
        }

        String text() {
            return client + " \"" + method + " " + sanitize(path) + "\" " + status + " " + ms + "ms pkg=" + sanitize(pkg)
                    + " version=" + sanitize(version) + " decision=" + sanitize(decision) + " request=" + sanitize(requestId);
        }

        String json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("time", Instant.now().toString());
            n.put("client", client);
            n.put("method", method);
            n.put("path", path);
            n.put("package", pkg);
            n.put("version", version);
            n.put("decision", decision);
            n.put("status", status);
            n.put("ms", ms);
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
