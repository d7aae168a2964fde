package dev.airlock.proxy.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an upstream packument into what clients of Airlock see: versions policy does not serve
 * removed from {@code versions} and {@code time}, {@code dist-tags} re-pointed to allowed
 * versions, and every {@code dist.tarball} pointing at Airlock. The upstream tree is never
 * modified (it is shared by concurrent requests); changed nodes are copied.
 */
public final class PackumentFilter {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Fields of a version kept in the abbreviated ("corgi") form, as the registry does. */
    private static final Set<String> ABBREVIATED_VERSION_FIELDS = Set.of("name", "version", "dist", "deprecated",
            "dependencies", "optionalDependencies", "devDependencies", "peerDependencies", "peerDependenciesMeta",
            "bundleDependencies", "bundledDependencies", "bin", "directories", "engines", "cpu", "os", "libc",
            "_hasShrinkwrap", "hasInstallScript", "acceptDependencies", "funding");
    private static final Set<String> INSTALL_SCRIPTS = Set.of("preinstall", "install", "postinstall");

    /** A version left out, and why. */
    public record Hidden(String version, Decision decision) {
    }

    /** The filtered full document and what was hidden. */
    public record Result(ObjectNode full, List<Hidden> hidden) {
    }

    private PackumentFilter() {
    }

    public static Result filter(NpmPackageName name, JsonNode upstream, VerdictGate gate, String npmBase) {
        ObjectNode out = F.objectNode();
        JsonNode versions = upstream.path("versions");
        JsonNode time = upstream.path("time");
        ObjectNode keptVersions = F.objectNode();
        List<Hidden> hidden = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = versions.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String v = e.getKey();
            Decision d = decide(name, v, publishTime(time, v), gate);
            if (!d.serve() || !e.getValue().isObject()) {
                hidden.add(new Hidden(v, d.serve() ? Decision.hide("malformed_metadata", "version entry is not an object") : d));
                continue;
            }
            keptVersions.set(v, rewriteTarball(name, v, (ObjectNode) e.getValue(), npmBase));
            allowed.add(v);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = upstream.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "versions":
                    out.set("versions", keptVersions);
                    break;
                case "time":
                    out.set("time", filterTime(time, keptVersions));
                    break;
                case "dist-tags":
                    out.set("dist-tags", repointTags(e.getValue(), allowed));
                    break;
                default:
                    out.set(e.getKey(), e.getValue());
            }
        }
        if (!out.has("versions")) {
            out.set("versions", keptVersions);
        }
        if (!out.has("dist-tags")) {
            out.set("dist-tags", repointTags(F.objectNode(), allowed));
        }
        return new Result(out, hidden);
    }

    /** The abbreviated form npm asks for with {@code Accept: application/vnd.npm.install-v1+json}. */
    public static ObjectNode abbreviate(ObjectNode full) {
        ObjectNode out = F.objectNode();
        out.set("name", full.path("name"));
        JsonNode modified = full.path("time").path("modified");
        if (!modified.isMissingNode()) {
            out.set("modified", modified);
        } else if (full.has("modified")) {
            out.set("modified", full.get("modified"));
        }
        out.set("dist-tags", full.path("dist-tags"));
        ObjectNode versions = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = full.path("versions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode v = F.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().fields(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> field = f.next();
                if (ABBREVIATED_VERSION_FIELDS.contains(field.getKey())) {
                    v.set(field.getKey(), field.getValue());
                }
            }
            if (!v.has("hasInstallScript")) {
                JsonNode scripts = e.getValue().path("scripts");
                for (String s : INSTALL_SCRIPTS) {
                    if (scripts.hasNonNull(s)) {
                        v.put("hasInstallScript", true);
                        break;
                    }
                }
            }
            versions.set(e.getKey(), v);
        }
        out.set("versions", versions);
        return out;
    }

    public static Instant publishTime(JsonNode time, String version) {
        JsonNode t = time.path(version);
        if (!t.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(t.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Fails closed: a version Airlock cannot even name is not served. */
    static Decision decide(NpmPackageName name, String version, Instant published, VerdictGate gate) {
        PackageCoordinate c;
        try {
            c = PackageCoordinate.of(Ecosystem.NPM, name.full(), version);
        } catch (IllegalArgumentException e) {
            return Decision.hide("invalid_version", "version '" + version + "' is not a valid version string");
        }
        try {
            return gate.listed(c, published);
        } catch (RuntimeException e) {
            return Decision.hide("policy_unavailable", "policy could not decide: " + e.getClass().getSimpleName());
        }
    }

    private static ObjectNode rewriteTarball(NpmPackageName name, String version, ObjectNode v, String npmBase) {
        JsonNode dist = v.path("dist");
        ObjectNode copy = F.objectNode();
        v.fields().forEachRemaining(f -> copy.set(f.getKey(), f.getValue()));
        ObjectNode newDist = dist.isObject() ? ((ObjectNode) dist).deepCopy() : F.objectNode();
        newDist.put("tarball", tarballUrl(name, version, dist.path("tarball").asText(null), npmBase));
        copy.set("dist", newDist);
        return copy;
    }

    /** {@code <base>/npm/<name>/-/<file>}, keeping the upstream file name when it is a plain .tgz name. */
    static String tarballUrl(NpmPackageName name, String version, String upstreamTarball, String npmBase) {
        String file = name.tarballFile(version);
        if (upstreamTarball != null) {
            int slash = upstreamTarball.lastIndexOf('/');
            String last = slash >= 0 ? upstreamTarball.substring(slash + 1) : upstreamTarball;
            if (last.matches("[A-Za-z0-9._~+-]+\\.tgz")) {
                file = last;
            }
        }
        return npmBase + name.full() + "/-/" + file;
    }

    private static ObjectNode filterTime(JsonNode time, ObjectNode keptVersions) {
        ObjectNode t = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = time.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (k.equals("created") || k.equals("modified") || keptVersions.has(k)) {
                t.set(k, e.getValue());
            }
        }
        return t;
    }

    /**
     * {@code latest} moves to the highest allowed release (a prerelease only when nothing else is
     * left); other tags naming a hidden version are dropped, since pointing them elsewhere would
     * change their meaning.
     */
    private static ObjectNode repointTags(JsonNode tags, List<String> allowed) {
        ObjectNode out = F.objectNode();
        Set<String> allowedSet = Set.copyOf(allowed);
        for (Iterator<Map.Entry<String, JsonNode>> it = tags.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual() && allowedSet.contains(e.getValue().asText())) {
                out.set(e.getKey(), e.getValue());
            }
        }
        JsonNode latest = tags.path("latest");
        if (!out.has("latest") && !allowed.isEmpty()) {
            String best = null;
            for (String v : allowed) {
                if (!NpmVersions.isPrerelease(v) && (best == null || NpmVersions.PRECEDENCE.compare(v, best) > 0)
                        && (!latest.isTextual() || !NpmVersions.isValid(latest.asText())
                        || NpmVersions.PRECEDENCE.compare(v, latest.asText()) <= 0)) {
                    best = v;
                }
            }
            if (best == null) {
                for (String v : allowed) {
                    if (!NpmVersions.isPrerelease(v) && (best == null || NpmVersions.PRECEDENCE.compare(v, best) > 0)) {
                        best = v;
                    }
                }
            }
            if (best == null) {
                best = allowed.stream().max(NpmVersions.PRECEDENCE).orElse(null);
            }
            if (best != null) {
                out.put("latest", best);
            }
        }
        return out;
    }
}
