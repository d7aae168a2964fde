package dev.airlock.analysis;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.archive.ArchiveReader;
import dev.airlock.analysis.archive.ArtifactContents;
import dev.airlock.analysis.meta.ManifestReader;
import dev.airlock.analysis.meta.PackageManifest;
import dev.airlock.analysis.meta.Publisher;
import dev.airlock.analysis.rules.DynamicRules;
import dev.airlock.analysis.rules.HistoryRules;
import dev.airlock.analysis.rules.Hit;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.analysis.rules.Verdicts;
import dev.airlock.common.Hashes;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Analyses one artifact: reads it safely, runs the static rules, optionally the sandbox, and
 * combines everything into an explained recommendation. Thread-safe; one instance serves the
 * whole process.
 */
public final class Analyzer implements AutoCloseable {
    private final ArchiveReader reader;
    private final Sandbox sandbox;
    private final Set<String> registryHosts;
    private final NameCheck names;

    /**
     * @param sandbox       the sandbox for dynamic analysis, or null for static only
     * @param limits        archive limits
     * @param registryHosts host names the sandbox may legitimately contact (the upstream registries)
     */
    public Analyzer(Sandbox sandbox, ArchiveLimits limits, Set<String> registryHosts) {
        this(sandbox, limits, registryHosts, NameCheck.NONE);
    }

    /** As above; {@code names} reports look-alike names as findings (the policy's typosquat detector). */
    public Analyzer(Sandbox sandbox, ArchiveLimits limits, Set<String> registryHosts, NameCheck names) {
        this.reader = new ArchiveReader(limits);
        this.sandbox = sandbox;
        this.registryHosts = Set.copyOf(registryHosts);
        this.names = names;
    }

    /**
     * The analyser the proxy runs: the Docker sandbox when {@code sandboxConfig} is given and the
     * sandbox module provides one, default archive limits, and the upstream registries as the only
     * hosts a package may contact in the sandbox.
     */
    public static Analyzer create(dev.airlock.config.SandboxConfig sandboxConfigOrNull) {
        Sandbox sandbox = sandboxConfigOrNull == null ? null : SandboxFactory.docker(sandboxConfigOrNull).orElse(null);
        return new Analyzer(sandbox, ArchiveLimits.defaults(), defaultRegistryHosts());
    }

    /** The PyPI hosts and the npm registry this machine is configured for. */
    public static Set<String> defaultRegistryHosts() {
        Set<String> hosts = new LinkedHashSet<>(List.of("pypi.org", "files.pythonhosted.org"));
        dev.airlock.config.NpmRegistryDetector.detect().map(java.net.URI::getHost).ifPresent(hosts::add);
        return hosts;
    }

    /** Static analysis only, default limits. */
    public static Analyzer staticOnly() {
        return new Analyzer(null, ArchiveLimits.defaults(), Set.of());
    }

    public boolean sandboxAvailable() {
        return sandbox != null && sandbox.available();
    }

    /** The fast path: static rules only. Throws only when the file itself cannot be read. */
    public AnalysisResult analyzeStatic(Path file, Ecosystem ecosystemOrNull) throws IOException {
        try {
            return analyze(file, ecosystemOrNull, false, null);
        } catch (SandboxUnavailableException e) {
            throw new IllegalStateException("unreachable: sandbox not requested", e);
        }
    }

    /**
     * Analyses an artifact; with {@code useSandbox} also runs it in the sandbox.
     *
     * @throws SandboxUnavailableException when the sandbox was asked for but could not run (infrastructure: retry later)
     */
    public AnalysisResult analyze(Path file, Ecosystem ecosystemOrNull, boolean useSandbox)
            throws IOException, SandboxUnavailableException {
        return analyze(file, ecosystemOrNull, useSandbox, null);
    }

    /** As above; {@code expected} is the version the registry says this artifact is (manifest cross-check), or null. */
    public AnalysisResult analyze(Path file, Ecosystem ecosystemOrNull, boolean useSandbox, PackageCoordinate expected)
            throws IOException, SandboxUnavailableException {
        return analyze(file, null, ecosystemOrNull, useSandbox, expected);
    }

    /**
     * As above for an artifact stored under another name (the proxy's store names files by digest):
     * {@code fileName} is the registry's name of the file, which the sandbox needs to install it.
     */
    public AnalysisResult analyze(Path file, String fileName, Ecosystem ecosystemOrNull, boolean useSandbox,
                                  PackageCoordinate expected) throws IOException, SandboxUnavailableException {
        return analyze(file, fileName, ecosystemOrNull, useSandbox, expected, null);
    }

    /**
     * As above, with the package's behaviour baseline: {@code previous} is the last allowed version of
     * the same kind of file (null when there is none), whose sandbox behaviour is not decisive again.
     */
    public AnalysisResult analyze(Path file, String fileName, Ecosystem ecosystemOrNull, boolean useSandbox,
                                  PackageCoordinate expected, PreviousVersion previous)
            throws IOException, SandboxUnavailableException {
        return analyze(file, new AnalysisRequest(fileName, ecosystemOrNull, useSandbox, expected, previous, null, null));
    }

    /** As {@link #analyze(Path, AnalysisRequest)} without the sandbox, whatever the request says. */
    public AnalysisResult analyzeWithoutSandbox(Path file, AnalysisRequest request) throws IOException {
        try {
            return analyze(file, request.withSandbox(false));
        } catch (SandboxUnavailableException e) {
            throw new IllegalStateException("unreachable: sandbox not requested", e);
        }
    }

    /** Analyses an artifact with everything the caller knows about it (see {@link AnalysisRequest}). */
    public AnalysisResult analyze(Path file, AnalysisRequest request) throws IOException, SandboxUnavailableException {
        long start = System.nanoTime();
        String sha256 = Hashes.sha256Hex(file);
        ArtifactContents contents = reader.read(file);
        Ecosystem eco = request.ecosystem() != null ? request.ecosystem() : ManifestReader.detect(contents);
        PackageManifest manifest = ManifestReader.read(contents, eco);
        List<Hit> hits = new ArrayList<>();
        StaticPass.run(contents, manifest, eco, request.expected(), hits);
        HistoryRules.compare(manifest, Publisher.of(contents, eco), request.release(), request.previous(), hits);
        if (manifest.name() != null) {
            names.lookalike(eco, manifest.name()).ifPresent(how -> hits.add(new Hit(new Finding("typosquat", "high", "metadata",
                    "The name imitates a popular package: " + how + ".", manifest.name(), null),
                    Hit.Role.VERDICT_SUSPICIOUS, Hit.Context.PACKAGE, "package")));
        }
        long staticMs = (System.nanoTime() - start) / 1_000_000;
        BehaviorReport behavior = null;
        long dynamicMs = 0;
        if (request.useSandbox()) {
            if (sandbox == null) {
                throw new SandboxUnavailableException("no sandbox configured");
            }
            long d0 = System.nanoTime();
            behavior = sandbox.run(file, request.fileName() != null ? request.fileName() : file.getFileName().toString(), eco,
                    request.dependencies());
            dynamicMs = (System.nanoTime() - d0) / 1_000_000;
            DynamicRules.fold(behavior, request.previous(), registryHosts, hits);
        }
        Verdicts.Outcome outcome = Verdicts.combine(hits);
        return new AnalysisResult(eco.id(), manifest.name(), manifest.version(), sha256, outcome.recommendation(),
                outcome.all(), behavior, staticMs, dynamicMs);
    }

    /**
     * What a release was, for comparing the next one with it: its declared manifest, the rules its static
     * pass raised and who it names as publisher. Static only; the behaviour comes from its own analysis.
     */
    public PreviousVersion describe(Path file, Ecosystem ecosystemOrNull) throws IOException {
        ArtifactContents contents = reader.read(file);
        Ecosystem eco = ecosystemOrNull != null ? ecosystemOrNull : ManifestReader.detect(contents);
        PackageManifest manifest = ManifestReader.read(contents, eco);
        List<Hit> hits = new ArrayList<>();
        StaticPass.run(contents, manifest, eco, null, hits);
        Set<String> rules = new java.util.TreeSet<>();
        hits.stream().filter(h -> h.role() != Hit.Role.INFO).forEach(h -> rules.add(h.finding().rule()));
        return new PreviousVersion(manifest.version() == null ? "unknown" : manifest.version(), null, manifest, rules,
                Publisher.of(contents, eco), null);
    }

    @Override
    public void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }
}
