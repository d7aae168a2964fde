package dev.airlock.proxy.npm;

import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.PublicBase;
import dev.airlock.proxy.http.AcceptHeader;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.MetadataAnswer;
import dev.airlock.proxy.http.RenderCache;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filtered documents of a package: the packument (full or abbreviated) and one version's
 * document. A rendered packument is reused while the upstream copy and every verdict are unchanged;
 * rendering (policy for every version, a pass over the document) runs off the event loop.
 */
final class NpmDocuments {
    private static final Logger LOG = LoggerFactory.getLogger(NpmDocuments.class);
    static final String ABBREVIATED = "application/vnd.npm.install-v1+json";

    private final URI upstream;
    private final VerdictGate gate;
    private final URI publicUrl;
    private final RenderCache rendered;
    private final Executor renderer;

    NpmDocuments(URI upstream, VerdictGate gate, URI publicUrl, RenderCache rendered, Executor renderer) {
        this.upstream = upstream;
        this.gate = gate;
        this.publicUrl = publicUrl;
        this.rendered = rendered;
        this.renderer = renderer;
    }

    /** The packument in the form the client prefers, from the render cache or rendered now. */
    void packument(HttpExchange ex, NpmPackageName name, Packument doc) {
        String accept = ex.header(HttpHeaderNames.ACCEPT);
        boolean abbreviated = accept != null && accept.contains(ABBREVIATED) && prefersAbbreviated(accept);
        String form = abbreviated ? "npm-abbreviated" : "npm-full";
        String base = PublicBase.of(ex, publicUrl) + "npm/";
        long generation = gate.generation();
        MetadataAnswer cached = rendered.getIfPresent(name.full(), form, base, generation, doc);
        if (cached != null) {
            ex.describe("npm:" + name.full(), "listed");
            cached.send(ex);
            return;
        }
        offLoop(ex, name, () -> {
            MetadataAnswer answer = rendered.get(name.full(), form, base, generation, doc,
                    () -> render(name, doc, new NpmLinks(base, upstream), abbreviated));
            ex.describe("npm:" + name.full(), "listed");
            answer.send(ex);
        });
    }

    /** One version's document (by version or tag), refused the way the packument hides it. */
    void versionDocument(HttpExchange ex, NpmPackageName name, Packument doc, String versionOrTag) {
        String base = PublicBase.of(ex, publicUrl) + "npm/";
        Packument.Version v = doc.version(doc.resolveTag(versionOrTag));
        if (v == null || !v.object()) {
            Answers.clientError(ex, io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND,
                    "version " + versionOrTag + " of " + name.full() + " not found");
            return;
        }
        offLoop(ex, name, () -> {
            // Decide the whole document so tags that name a hidden version resolve the way the packument says.
            PackumentFilter.Verdicts verdicts = PackumentFilter.decide(name, doc, gate);
            String resolved = verdicts.resolve(versionOrTag);
            byte[] body = verdicts.shown().contains(resolved)
                    ? PackumentFilter.versionDocument(name, doc, resolved, new NpmLinks(base, upstream)) : null;
            if (body == null) {
                Decision d = verdicts.hidden().stream().filter(h -> h.version().equals(resolved))
                        .map(PackumentFilter.Hidden::decision).findFirst()
                        .orElse(Decision.hide("not_found", "version " + versionOrTag + " is not available"));
                ex.describe("npm:" + name.full() + "@" + resolved, d.code());
                Answers.refused(ex, d);
                return;
            }
            new MetadataAnswer("npm-version", "application/json; charset=utf-8", body, null).send(ex);
        });
    }

    static void internalError(HttpExchange ex, NpmPackageName name, RuntimeException e) {
        LOG.warn("npm request for {} failed", name.full(), e);
        Answers.failed(ex, 500, "internal_error", "Airlock failed on " + name.full() + ": " + e.getClass().getSimpleName());
    }

    /** Runs work that may take a while (policy for every version, a pass over the document) off the event loop. */
    private void offLoop(HttpExchange ex, NpmPackageName name, Runnable work) {
        try {
            renderer.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    internalError(ex, name, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            Answers.failed(ex, 503, "overloaded", "Airlock is shutting down or overloaded");
        }
    }

    private MetadataAnswer render(NpmPackageName name, Packument doc, NpmLinks links, boolean abbreviated) {
        PackumentFilter.Verdicts v = PackumentFilter.decide(name, doc, gate);
        HttpHeaders h = new DefaultHttpHeaders();
        if (!v.hidden().isEmpty()) {
            h.set("npm-notice", Answers.ascii(notice(name, v.hidden())));
        }
        return new MetadataAnswer(abbreviated ? "npm-abbreviated" : "npm-full",
                abbreviated ? ABBREVIATED + "; charset=utf-8" : "application/json; charset=utf-8",
                PackumentFilter.render(name, doc, v, links, abbreviated), h, madeFrom(name, doc, v, links, abbreviated));
    }

    /** What a rendered packument is a function of: its validator, without hashing a body that can be megabytes. */
    static String madeFrom(NpmPackageName name, Packument doc, PackumentFilter.Verdicts v, NpmLinks links, boolean abbreviated) {
        return name.full() + '\n' + abbreviated + '\n' + links.npmBase() + '\n' + links.upstream() + '\n' + doc.digest()
                + '\n' + String.join(",", v.shown()) + '\n' + v.tags();
    }

    /** npm prints this header as "npm notice ...", so users who get "No matching version" see why. */
    static String notice(NpmPackageName name, List<PackumentFilter.Hidden> hidden) {
        StringBuilder sb = new StringBuilder("Airlock hid ").append(hidden.size())
                .append(hidden.size() == 1 ? " version of " : " versions of ").append(name.full()).append(": ");
        int shown = 0;
        for (PackumentFilter.Hidden h : hidden) {
            if (shown++ == 5) {
                sb.append(", ...");
                break;
            }
            if (shown > 1) {
                sb.append(", ");
            }
            sb.append(h.version()).append(" (").append(h.decision().code());
            if (shown <= 2) {
                // The first reasons in full: this line is all an npm user sees when a version "does not exist".
                sb.append(": ").append(h.decision().message());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static boolean prefersAbbreviated(String accept) {
        Map<String, Double> q = AcceptHeader.qualities(accept);
        double abbreviated = AcceptHeader.best(q, ABBREVIATED);
        return abbreviated > 0 && abbreviated >= AcceptHeader.best(q, "application/json", "*/*");
    }
}
