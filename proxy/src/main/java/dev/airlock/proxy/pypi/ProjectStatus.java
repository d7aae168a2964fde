package dev.airlock.proxy.pypi;

import dev.airlock.common.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.Decision;
import java.util.Locale;
import java.util.Map;

/**
 * A PEP 792 project status marker ({@code active}, {@code archived}, {@code quarantined},
 * {@code deprecated}) with its optional reason: what the upstream says, and what Airlock's own
 * page says once policy has filtered it.
 *
 * @param status lowercase marker; {@code active} when the index says nothing
 * @param reason free text, or null
 */
public record ProjectStatus(String status, String reason) {
    public static final String ACTIVE = "active";
    public static final String QUARANTINED = "quarantined";
    /** The reason code of a download refused because the upstream index quarantined the project. */
    public static final String UPSTREAM_QUARANTINED = "upstream_quarantined";
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final int MAX_LISTED = 3;

    public ProjectStatus {
        status = status == null || status.isBlank() ? ACTIVE : status.trim().toLowerCase(Locale.ROOT);
        reason = reason == null || reason.isBlank() ? null : reason;
    }

    /** The upstream's marker: the JSON {@code project-status} object (HTML pages are parsed into the same shape). */
    public static ProjectStatus upstream(SimpleProject page) {
        JsonNode n = page.topLevel().path("project-status");
        if (n.isObject()) {
            return new ProjectStatus(n.path("status").asText(null), n.path("reason").asText(null));
        }
        if (n.isTextual()) {
            return new ProjectStatus(n.asText(), null);
        }
        return new ProjectStatus(ACTIVE, null);
    }

    public boolean quarantined() {
        return QUARANTINED.equals(status);
    }

    public boolean active() {
        return ACTIVE.equals(status);
    }

    /** The refusal for any file of a project the upstream quarantined (PEP 792: it offers no distributions). */
    public Decision refusal(String project) {
        return Decision.hide(UPSTREAM_QUARANTINED, "the upstream index quarantined " + project
                + (reason == null ? "" : ": " + reason));
    }

    /**
     * What Airlock's page says: the upstream's quarantine stands; a project with versions but none
     * served is quarantined by Airlock, with the reasons of the first hidden versions; otherwise the
     * upstream's marker passes through.
     */
    public static ProjectStatus of(SimpleRenderer.Filtered f, ProjectStatus upstream) {
        if (upstream.quarantined()) {
            return upstream;
        }
        if (f.versions().isEmpty() && !f.hidden().isEmpty()) {
            return new ProjectStatus(QUARANTINED, refusedEverything(f.project().name(), f.hidden()));
        }
        return upstream;
    }

    private static String refusedEverything(String project, Map<String, Decision> hidden) {
        StringBuilder sb = new StringBuilder("Airlock refused every version of ").append(project).append(": ");
        int shown = 0;
        for (Map.Entry<String, Decision> e : hidden.entrySet()) {
            if (shown == MAX_LISTED) {
                sb.append("; and ").append(hidden.size() - shown).append(" more");
                break;
            }
            sb.append(shown++ == 0 ? "" : "; ").append(e.getKey()).append(" (").append(e.getValue().code())
                    .append(": ").append(e.getValue().message()).append(')');
        }
        return sb.toString();
    }

    /** The JSON form: {@code {"status": ..., "reason": ...}}. */
    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", status);
        if (reason != null) {
            o.put("reason", reason);
        }
        return o;
    }
}
