package dev.airlock.proxy.npm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.proxy.ArtifactService;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.upstream.UpstreamClient;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tarball downloads: which version of the packument a tarball name belongs to, where upstream it
 * is, how to verify it; then the shared download path. What a file name resolves to is worked out
 * once per upstream copy of the packument and kept with that copy (a cached tarball is asked for
 * thousands of times a second, and parsing its URL and validating its coordinate each time was
 * work no answer needed); a new copy of the packument starts afresh.
 */
final class NpmDownloads {
    /** Downloads resolved per packument copy, by file name; the copy's identity is the key (weak: it goes with the copy). */
    private final Cache<Packument, Map<String, ArtifactService.Request>> resolved = Caffeine.newBuilder()
            .weakKeys().maximumSize(10_000).build();
    private final ArtifactService artifacts;
    private final UpstreamClient client;

    NpmDownloads(ArtifactService artifacts, UpstreamClient client) {
        this.artifacts = artifacts;
        this.client = client;
    }

    /** Serves {@code file} of {@code name} from the packument copy {@code doc}, or answers why not. */
    void serve(HttpExchange ex, NpmPackageName name, Packument doc, String file) {
        Map<String, ArtifactService.Request> known = resolved.get(doc, d -> new ConcurrentHashMap<>());
        ArtifactService.Request r = known.get(file);
        if (r == null) {
            r = resolve(ex, name, doc, file);
            if (r == null) {
                return; // answered
            }
            // Bounded by the copy's versions: only names that resolved to one of them are kept.
            known.putIfAbsent(file, r);
        }
        artifacts.serve(ex, r);
    }

    /** The download of {@code file}, or null after answering why there is none. */
    private ArtifactService.Request resolve(HttpExchange ex, NpmPackageName name, Packument doc, String file) {
        Packument.Version found = findVersion(name, doc, file);
        if (found == null) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "no version of " + name.full() + " has tarball " + file);
            return null;
        }
        String version = found.version();
        String upstreamUrl = found.tarball() == null ? "" : found.tarball();
        URI uri;
        try {
            uri = URI.create(upstreamUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not http(s)");
            }
        } catch (IllegalArgumentException e) {
            Answers.failed(ex, 502, "malformed_metadata", "upstream tarball URL of " + name.full() + "@" + version + " is invalid");
            return null;
        }
        ExpectedDigest expected = found.expected();
        if (expected == null) {
            // Nothing to verify against means nothing we can vouch for.
            Answers.failed(ex, 502, "integrity_missing", name.full() + "@" + version + " has no usable integrity or shasum");
            return null;
        }
        PackageCoordinate c;
        try {
            c = PackageCoordinate.of(Ecosystem.NPM, name.full(), version);
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return null;
        }
        java.time.Instant published = found.published();
        return new ArtifactService.Request(c, published, uri, expected, "npm|" + upstreamUrl, "application/octet-stream",
                client, file, NpmTarballs.file(uri, file, published));
    }

    /** The version whose tarball has this file name: by the conventional name first, then by search. */
    static Packument.Version findVersion(NpmPackageName name, Packument doc, String file) {
        String guess = name.versionFromTarball(file);
        Packument.Version v = guess == null ? null : doc.version(guess);
        if (v != null && v.object() && (v.tarball() == null || v.tarball().isEmpty() || v.tarball().endsWith("/" + file))) {
            return v;
        }
        for (Packument.Version candidate : doc.versions().values()) {
            if (candidate.object() && candidate.tarball() != null && candidate.tarball().endsWith("/" + file)) {
                return candidate;
            }
        }
        return null;
    }
}
