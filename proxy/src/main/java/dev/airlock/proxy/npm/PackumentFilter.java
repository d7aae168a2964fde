package dev.airlock.proxy.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an upstream packument into what clients of Airlock see: versions policy does not serve
 * removed from {@code versions} and {@code time}, {@code dist-tags} re-pointed to allowed
 * versions, every {@code dist.tarball} and upstream {@code dist.attestations.url} pointing at
 * Airlock; everything else (including {@code dist.integrity} and {@code dist.signatures}) passes
 * unchanged.
 *
 * <p>Decisions come from the {@link Packument}'s index. The full form is spliced from the upstream
 * bytes ({@link PackumentSplice}); the abbreviated form and version documents are rewritten in one
 * streaming pass of tokens ({@link PackumentRegenerator}); a packument of tens of megabytes costs
 * its output and no more.
 */
public final class PackumentFilter {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A version left out, and why. */
    public record Hidden(String version, Decision decision) {
    }

    /** What policy says of every version of one document: those shown (upstream order), those hidden, the tags. */
    public record Verdicts(Set<String> shown, List<Hidden> hidden, ObjectNode tags) {
        /** The version a tag names after re-pointing, or the argument when it is no tag. */
        public String resolve(String versionOrTag) {
            JsonNode t = tags.get(versionOrTag);
            return t != null && t.isTextual() ? t.asText() : versionOrTag;
        }
    }

    private PackumentFilter() {
    }

    /** Asks policy about every version (from the index: no pass over the document). */
    public static Verdicts decide(NpmPackageName name, Packument doc, VerdictGate gate) {
        Set<String> shown = new LinkedHashSet<>();
        List<Hidden> hidden = new ArrayList<>();
        for (Packument.Version v : doc.versions().values()) {
            Decision d = decide(name, v.version(), doc.publishTime(v.version()), gate);
            if (!d.serve() || !v.object()) {
                hidden.add(new Hidden(v.version(), d.serve() ? Decision.hide("malformed_metadata", "version entry is not an object") : d));
            } else {
                shown.add(v.version());
            }
        }
        return new Verdicts(shown, hidden, repointTags(doc.distTags(), new ArrayList<>(shown)));
    }

    /** The full or abbreviated document with only the shown versions. */
    public static byte[] render(NpmPackageName name, Packument doc, Verdicts verdicts, NpmLinks links, boolean abbreviated) {
        if (!abbreviated) {
            byte[] spliced = PackumentSplice.full(name, doc, verdicts, links);
            if (spliced != null) {
                return spliced;
            }
        }
        return PackumentRegenerator.regenerate(name, doc, verdicts, links, abbreviated);
    }

    /** One shown version as {@code GET /<name>/<version>} answers it, or null when the document lacks it. */
    public static byte[] versionDocument(NpmPackageName name, Packument doc, String version, NpmLinks links) {
        return PackumentRegenerator.versionDocument(name, doc, version, links);
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

    /**
     * {@code latest} moves to the highest allowed release (a prerelease only when nothing else is
     * left); other tags naming a hidden version are dropped, since pointing them elsewhere would
     * change their meaning.
     */
    static ObjectNode repointTags(JsonNode tags, List<String> allowed) {
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
