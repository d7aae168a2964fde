package dev.airlock.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Airlock's whole configuration, after defaults, the YAML file, {@code AIRLOCK_*} variables and
 * flags were merged (later ones win). Absent fields get the documented defaults in the compact
 * constructor, so code never sees a null where a value is expected.
 *
 * @param port          listening port (default 8080)
 * @param bind          listening address (default 0.0.0.0)
 * @param dataDir       where verdicts, caches and artifacts live (default ./airlock-data)
 * @param publicUrl     base URL written into rewritten metadata; null: derived from each request's Host
 * @param pypiUpstream  the upstream simple index, ending in {@code /simple/}
 * @param pypiFileHosts hosts, besides the index's own, that PyPI file URLs may point at
 * @param npmUpstream   the upstream npm registry; null: npm route off
 * @param adminToken    admin API token; null: generated into {@code <dataDir>/admin-token}
 * @param logFormat     {@code text} (default) or {@code json}
 * @param server        the accepted connections ({@code server.*}: trusted reverse proxies, TLS)
 * @param clients       client identities ({@code clients.*}: tokens; off by default)
 * @param store         where verdicts and the analysis queue live ({@code store.*}: embedded, or a shared PostgreSQL)
 * @param artifacts     where verified artifacts are kept besides the data directory ({@code artifacts.*}: S3)
 */
public record AirlockConfig(Integer port, String bind, Path dataDir, URI publicUrl, URI pypiUpstream,
                            List<String> pypiFileHosts, URI npmUpstream, String adminToken, String logFormat,
                            UpstreamConfig upstream, PolicyConfig policy, SandboxConfig sandbox,
                            AnalysisConfig analysis, ServerConfig server, ClientsConfig clients,
                            StoreConfig store, ArtifactsConfig artifacts) {
    public static final URI DEFAULT_PYPI = URI.create("https://pypi.org/simple/");

    public AirlockConfig {
        port = port == null ? 8080 : port;
        if (port < 0 || port > 65535) {
            throw new ConfigException("port must be 0..65535, got " + port);
        }
        bind = bind == null ? "0.0.0.0" : bind;
        dataDir = dataDir == null ? Path.of("airlock-data") : dataDir;
        publicUrl = publicUrl == null ? null : withSlash(requireHttp("publicUrl", publicUrl));
        pypiUpstream = withSlash(requireHttp("pypiUpstream", pypiUpstream == null ? DEFAULT_PYPI : pypiUpstream));
        if (pypiFileHosts == null) {
            pypiFileHosts = "pypi.org".equals(pypiUpstream.getHost()) ? List.of("files.pythonhosted.org") : List.of();
        } else {
            pypiFileHosts = List.copyOf(pypiFileHosts);
        }
        npmUpstream = npmUpstream == null ? null : withSlash(requireHttp("npmUpstream", npmUpstream));
        logFormat = logFormat == null ? "text" : logFormat;
        upstream = upstream == null ? UpstreamConfig.defaults() : upstream;
        policy = policy == null ? PolicyConfig.defaults() : policy;
        sandbox = sandbox == null ? SandboxConfig.defaults() : sandbox;
        analysis = analysis == null ? AnalysisConfig.defaults() : analysis;
        server = server == null ? ServerConfig.defaults() : server;
        clients = clients == null ? ClientsConfig.defaults() : clients;
        store = store == null ? StoreConfig.defaults() : store;
        artifacts = artifacts == null ? ArtifactsConfig.defaults() : artifacts;
        if (!analysis.enabled() && !store.shared()) {
            throw new ConfigException("analysis.enabled: false needs a shared store (store.url): with the embedded store "
                    + "no other node would ever analyse this node's new versions");
        }
    }

    /** With the embedded stores (the defaults of {@code store.*} and {@code artifacts.*}). */
    public AirlockConfig(Integer port, String bind, Path dataDir, URI publicUrl, URI pypiUpstream,
                         List<String> pypiFileHosts, URI npmUpstream, String adminToken, String logFormat,
                         UpstreamConfig upstream, PolicyConfig policy, SandboxConfig sandbox, AnalysisConfig analysis,
                         ServerConfig server, ClientsConfig clients) {
        this(port, bind, dataDir, publicUrl, pypiUpstream, pypiFileHosts, npmUpstream, adminToken, logFormat,
                upstream, policy, sandbox, analysis, server, clients, null, null);
    }

    /** Without client identities (their defaults: off). */
    public AirlockConfig(Integer port, String bind, Path dataDir, URI publicUrl, URI pypiUpstream,
                         List<String> pypiFileHosts, URI npmUpstream, String adminToken, String logFormat,
                         UpstreamConfig upstream, PolicyConfig policy, SandboxConfig sandbox, AnalysisConfig analysis,
                         ServerConfig server) {
        this(port, bind, dataDir, publicUrl, pypiUpstream, pypiFileHosts, npmUpstream, adminToken, logFormat,
                upstream, policy, sandbox, analysis, server, null);
    }

    /** Without a server section (its defaults), for callers written before it existed. */
    public AirlockConfig(Integer port, String bind, Path dataDir, URI publicUrl, URI pypiUpstream,
                         List<String> pypiFileHosts, URI npmUpstream, String adminToken, String logFormat,
                         UpstreamConfig upstream, PolicyConfig policy, SandboxConfig sandbox, AnalysisConfig analysis) {
        this(port, bind, dataDir, publicUrl, pypiUpstream, pypiFileHosts, npmUpstream, adminToken, logFormat,
                upstream, policy, sandbox, analysis, null, null);
    }

    public static AirlockConfig defaults() {
        return new AirlockConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** The same configuration with another npm upstream (used when it is detected from the host's npm). */
    public AirlockConfig withNpmUpstream(URI npm) {
        return new AirlockConfig(port, bind, dataDir, publicUrl, pypiUpstream, pypiFileHosts, npm, adminToken,
                logFormat, upstream, policy, sandbox, analysis, server, clients, store, artifacts);
    }

    /** The same configuration for the worker role: analysis on, whatever the file said. */
    public AirlockConfig asWorker() {
        return new AirlockConfig(port, bind, dataDir, publicUrl, pypiUpstream, pypiFileHosts, npmUpstream, adminToken,
                logFormat, upstream, policy, sandbox, analysis.withEnabled(true), server, clients, store, artifacts);
    }

    /** The PyPI JSON API base: the simple index with {@code /simple/} replaced by {@code /pypi/}. */
    public URI pypiJsonBase() {
        String s = pypiUpstream.toString();
        int i = s.lastIndexOf("/simple/");
        return URI.create(i >= 0 ? s.substring(0, i) + "/pypi/" : s);
    }

    private static URI requireHttp(String key, URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new ConfigException(key + " must be an http(s) URL, got '" + uri + "'");
        }
        return uri;
    }

    private static URI withSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }
}
