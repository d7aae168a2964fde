package dev.airlock.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.analysis.ArtifactSource;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.proxy.npm.NpmPackageName;
import dev.airlock.proxy.npm.NpmTarballs;
import dev.airlock.proxy.npm.Packument;
import dev.airlock.proxy.pypi.SimpleRenderer;
import dev.airlock.proxy.pypi.PypiFilenames;
import dev.airlock.proxy.pypi.SimpleProject;
import dev.airlock.proxy.store.ArtifactStore;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.store.StoredArtifact;
import dev.airlock.proxy.upstream.MetadataCache;
import dev.airlock.proxy.upstream.UpstreamClient;
import dev.airlock.proxy.upstream.UpstreamException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gives the analysis the verified bytes of a version, the same way a client download gets them:
 * from the cached upstream metadata, through the content-addressed store (so analysed artifacts
 * stay there for later study and a later download is served from disk).
 */
final class ProxyArtifactSource implements ArtifactSource {
    private static final long TIMEOUT_SECONDS = 300;
    private final URI pypiUpstream;
    private final URI npmUpstream;
    private final MetadataCache<SimpleProject> pages;
    private final MetadataCache<Packument> packuments;
    private final ArtifactStore store;
    private final Executor executor;

    ProxyArtifactSource(URI pypiUpstream, URI npmUpstream, MetadataCache<SimpleProject> pages,
                        MetadataCache<Packument> packuments, ArtifactStore store, Executor executor) {
        this.pypiUpstream = pypiUpstream;
        this.npmUpstream = npmUpstream;
        this.pages = pages;
        this.packuments = packuments;
        this.store = store;
        this.executor = executor;
    }

    @Override
    public Path fetch(PackageCoordinate c) throws IOException {
        switch (c.ecosystem()) {
            case NPM:
                return npm(c);
            case PYPI:
                return pypi(c);
            default:
                throw new AssertionError(c.ecosystem());
        }
    }

    /** Every file the upstream lists for the version: npm's one tarball, or each file of a PyPI release. */
    @Override
    public List<ArtifactFile> files(PackageCoordinate c) throws IOException {
        switch (c.ecosystem()) {
            case NPM: {
                Packument doc = packument(c);
                Packument.Version v = doc == null ? null : doc.version(c.version());
                if (v == null || v.tarball() == null) {
                    throw new FileNotFoundException(c + " is not in the upstream packument");
                }
                return List.of(NpmTarballs.file(URI.create(v.tarball()), NpmPackageName.parse(c.name()).tarballFile(c.version()),
                        doc.publishTime(c.version())));
            }
            case PYPI: {
                List<ArtifactFile> out = new ArrayList<>();
                for (ObjectNode f : pypiFiles(c)) {
                    ArtifactFile file = SimpleRenderer.fileOf(f);
                    if (file != null && file.sha256() != null) {
                        out.add(file);
                    }
                }
                if (out.isEmpty()) {
                    throw new FileNotFoundException("no verifiable file of " + c + " on the upstream index");
                }
                return out;
            }
            default:
                throw new AssertionError(c.ecosystem());
        }
    }

    @Override
    public Path fetch(PackageCoordinate c, ArtifactFile file) throws IOException {
        if (file == null) {
            return fetch(c);
        }
        if (c.ecosystem() == dev.airlock.model.Ecosystem.NPM) {
            return npm(c);
        }
        for (ObjectNode f : pypiFiles(c)) {
            if (file.name().equals(f.path("filename").asText()) && f.path("hashes").path("sha256").isTextual()) {
                String sha = f.path("hashes").path("sha256").asText();
                if (file.sha256() != null && !file.sha256().equalsIgnoreCase(sha)) {
                    // The index now names other bytes under this name: analysing them would judge the wrong file.
                    throw new FileNotFoundException("the upstream index lists other bytes for " + file.name() + " now");
                }
                return pypiDownload(f);
            }
        }
        throw new FileNotFoundException(file.name() + " is no longer listed for " + c + " on the upstream index");
    }

    private Packument packument(PackageCoordinate c) throws IOException {
        if (packuments == null) {
            throw new FileNotFoundException("the npm route is off: no upstream for " + c);
        }
        NpmPackageName name = NpmPackageName.parse(c.name());
        return await(packuments.get("npm:" + name.full(), URI.create(npmUpstream + name.urlForm()),
                Map.of("Accept", "application/json"))).document();
    }

    private List<ObjectNode> pypiFiles(PackageCoordinate c) throws IOException {
        SimpleProject page = await(pages.get("pypi:" + c.name(), pypiUpstream.resolve(c.name() + "/"),
                Map.of("Accept", "application/vnd.pypi.simple.v1+json, text/html;q=0.1"))).document();
        if (page == null) {
            throw new FileNotFoundException(c.name() + " is not on the upstream index");
        }
        return page.files().stream()
                .filter(f -> c.version().equals(PypiFilenames.version(c.name(), f.path("filename").asText())))
                .toList();
    }

    private Path npm(PackageCoordinate c) throws IOException {
        Packument doc = packument(c);
        Packument.Version v = doc == null ? null : doc.version(c.version());
        if (v == null || v.tarball() == null) {
            throw new FileNotFoundException(c + " is not in the upstream packument");
        }
        String url = v.tarball();
        ExpectedDigest expected = ExpectedDigest.fromNpmDist(v.integrity(), v.shasum());
        return download(packuments.client(), "npm|" + url, URI.create(url), expected);
    }

    /** The sdist when there is one (it runs code at install), else a pure wheel, else any wheel. */
    private Path pypi(PackageCoordinate c) throws IOException {
        Optional<ObjectNode> pick = pypiFiles(c).stream()
                .filter(f -> f.path("hashes").path("sha256").isTextual())
                .min(Comparator.comparingInt(ProxyArtifactSource::preference));
        if (pick.isEmpty()) {
            throw new FileNotFoundException("no verifiable file of " + c + " on the upstream index");
        }
        return pypiDownload(pick.get());
    }

    private Path pypiDownload(ObjectNode f) throws IOException {
        String url = f.path("url").asText();
        int hash = url.indexOf('#');
        URI uri = URI.create(hash >= 0 ? url.substring(0, hash) : url);
        return download(pages.client(), "pypi|" + uri, uri, ExpectedDigest.sha256Hex(f.path("hashes").path("sha256").asText()));
    }

    private static int preference(ObjectNode f) {
        String n = f.path("filename").asText();
        if (PypiFilenames.isSdist(n)) {
            return 0;
        }
        return n.endsWith("-none-any.whl") ? 1 : 2;
    }

    private Path download(UpstreamClient client, String refKey, URI uri, ExpectedDigest expected) throws IOException {
        StoredArtifact a = await(store.getOrFetch(refKey, expected, opener -> {
            int st = client.download(uri, opener::open);
            if (st == 404 || st == 410) {
                return false;
            }
            if (st != 200) {
                throw new UpstreamException(502, "upstream answered " + st + " for " + uri);
            }
            return true;
        }, executor));
        return a.path();
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws IOException {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching an artifact for analysis", e);
        } catch (TimeoutException e) {
            throw new IOException("timed out fetching an artifact for analysis", e);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof IOException io) {
                throw io;
            }
            // Integrity failures and upstream errors are infrastructure failures for the queue: retried later.
            throw new IOException(t.getMessage(), t);
        }
    }
}
