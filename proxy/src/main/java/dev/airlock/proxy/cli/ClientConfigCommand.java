package dev.airlock.proxy.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/airlock client-config --url URL [--client NAME] [--token TOKEN]}: prints ready-to-paste
 * settings for pip, uv, poetry, npm, pnpm and yarn pointing at one Airlock. Exit codes: 0 printed,
 * 2 usage.
 */
@Command(name = "client-config", description = "Print client settings for pip, uv, poetry, npm, pnpm and yarn.",
        footer = {"  URL is how developers reach Airlock, e.g. http://airlock.internal:8080",
                "  TOKEN is a client token (clients.tokens); also read from $AIRLOCK_CLIENT_TOKEN"})
public final class ClientConfigCommand implements Callable<Integer> {
    static final List<String> CLIENTS = List.of("pip", "uv", "poetry", "npm", "pnpm", "yarn");
    /** What can go into a URL's user-info and a config line without quoting. */
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._~+/=-]+$");
    private static final Pattern LITERAL_IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", description = "the address developers reach Airlock at (or $AIRLOCK_URL)")
    String url;

    @Option(names = "--client", paramLabel = "pip|uv|poetry|npm|pnpm|yarn", description = "print this client only")
    String client;

    @Option(names = "--token", paramLabel = "TOKEN", description = "a client token to put into each client's settings")
    String token;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    ClientConfigCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err);
    }

    /** For tests and embedding: explicit environment and streams. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CliContext ctx = new CliContext(env, out, err, false);
        return Cli.run(new ClientConfigCommand(ctx), args, ctx);
    }

    @Override
    public Integer call() {
        PrintStream err = ctx.err();
        String u = url != null ? url : ctx.env().get("AIRLOCK_URL");
        String t = token != null ? token : ctx.env().get("AIRLOCK_CLIENT_TOKEN");
        if (u == null) {
            err.println("airlock client-config: --url is required (the address developers reach Airlock at)");
            err.print(spec.commandLine().getUsageMessage());
            return Cli.USAGE;
        }
        URI base;
        try {
            base = parseBase(u);
        } catch (IllegalArgumentException e) {
            err.println("airlock client-config: " + e.getMessage());
            return Cli.USAGE;
        }
        if (client != null && !CLIENTS.contains(client)) {
            err.println("airlock client-config: unknown client '" + client + "' (one of " + String.join(", ", CLIENTS) + ")");
            return Cli.USAGE;
        }
        if (t != null && (t.isBlank() || !TOKEN.matcher(t).matches())) {
            err.println("airlock client-config: --token must be the token itself (letters, digits and -._~+/=)");
            return Cli.USAGE;
        }
        ctx.out().print(render(base, client, t));
        return 0;
    }

    /** Validates and normalises the base URL: http(s), a host, no query or fragment, ends in '/'. */
    static URI parseBase(String text) {
        return parseBase(text, "--url");
    }

    /** As above; {@code what} names the value in the message ({@code --url}, {@code URL}). */
    static URI parseBase(String text, String what) {
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + text + "'");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an http:// or https:// URL with a host, got '" + text + "'");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " must not have a query or fragment, got '" + text + "'");
        }
        String s = u.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    static String render(URI base, String only) {
        return render(base, only, null);
    }

    /** @param token a client token to write into each client's settings (null: anonymous) */
    static String render(URI base, String only, String token) {
        String pypi = base.resolve("pypi/simple/").toString();
        // pip and uv read credentials from the index URL and send them to the same host for files too.
        String pypiAuth = token == null ? pypi : base.getScheme() + "://airlock:" + token + "@" + base.getRawAuthority()
                + base.resolve("pypi/simple/").getRawPath();
        // npm's per-registry settings are keyed by the URL without its scheme ("nerf dart").
        String npmAuth = token == null ? "" : "//" + base.getRawAuthority() + base.resolve("npm/").getRawPath()
                + ":_authToken=" + token + "\n";
        String npm = base.resolve("npm/").toString();
        String host = base.getHost();
        boolean plainHttp = base.getScheme().equals("http");
        boolean needsTrust = plainHttp && !isLoopback(host);
        StringBuilder b = new StringBuilder();
        if (only == null) {
            b.append("# Client settings for the Airlock at ").append(base).append('\n')
                    .append("# PyPI index: ").append(pypi).append('\n')
                    .append("# npm registry: ").append(npm).append("\n\n");
        }
        if (only == null || only.equals("pip")) {
            b.append("## pip: pip.conf (Linux ~/.config/pip/pip.conf, macOS ~/Library/Application Support/pip/pip.conf,\n")
                    .append("##      Windows %APPDATA%\\pip\\pip.ini, or /etc/pip.conf for everyone)\n")
                    .append("[global]\n")
                    .append("index-url = ").append(pypiAuth).append('\n');
            if (needsTrust) {
                b.append("trusted-host = ").append(host).append('\n');
            }
            b.append("\n## pip: or for one shell / CI job\n")
                    .append("export PIP_INDEX_URL=").append(pypiAuth).append('\n');
            if (needsTrust) {
                b.append("export PIP_TRUSTED_HOST=").append(host).append('\n');
            }
            b.append('\n');
        }
        if (only == null || only.equals("uv")) {
            b.append("## uv: uv.toml (~/.config/uv/uv.toml) or [tool.uv] in pyproject.toml\n")
                    .append("[[index]]\n")
                    .append("name = \"airlock\"\n")
                    .append("url = \"").append(pypi).append("\"\n")
                    .append("default = true\n")
                    .append("\n## uv: or for one shell / CI job\n")
                    .append("export UV_DEFAULT_INDEX=").append(pypi).append("\n");
            if (token != null) {
                b.append("export UV_INDEX_AIRLOCK_USERNAME=airlock\n")
                        .append("export UV_INDEX_AIRLOCK_PASSWORD=").append(token).append('\n');
            }
            b.append('\n');
        }
        if (only == null || only.equals("poetry")) {
            b.append("## poetry: pyproject.toml (or run: poetry source add --priority=primary airlock ").append(pypi).append(")\n")
                    .append("[[tool.poetry.source]]\n")
                    .append("name = \"airlock\"\n")
                    .append("url = \"").append(pypi).append("\"\n")
                    .append("priority = \"primary\"\n");
            if (token != null) {
                b.append("## poetry: the token (kept in poetry's keyring or auth.toml, not in pyproject.toml)\n")
                        .append("poetry config http-basic.airlock airlock ").append(token).append('\n');
            }
            b.append('\n');
        }
        if (only == null || only.equals("npm")) {
            b.append("## npm: .npmrc in the project or ~/.npmrc (or run: npm config set registry ").append(npm).append(")\n")
                    .append("registry=").append(npm).append("\n").append(npmAuth).append('\n');
        }
        if (only == null || only.equals("pnpm")) {
            b.append("## pnpm: reads the same .npmrc (or run: pnpm config set registry ").append(npm).append(")\n")
                    .append("registry=").append(npm).append("\n").append(npmAuth).append('\n');
        }
        if (only == null || only.equals("yarn")) {
            b.append("## yarn 2+ (Berry): .yarnrc.yml in the project\n")
                    .append("npmRegistryServer: \"").append(npm).append("\"\n");
            if (token != null) {
                b.append("npmAuthToken: \"").append(token).append("\"\n").append("npmAlwaysAuth: true\n");
            }
            if (plainHttp) {
                b.append("unsafeHttpWhitelist:\n  - \"").append(host).append("\"\n");
            }
            b.append("\n## yarn 1 (classic): .yarnrc\n")
                    .append("registry \"").append(npm).append("\"\n");
            if (token != null) {
                b.append("## yarn 1 reads the token from .npmrc:\n").append(npmAuth);
            }
            b.append('\n');
        }
        b.append("## After switching, remove lockfile URLs that point elsewhere (package-lock.json \"resolved\",\n")
                .append("## yarn.lock, pnpm-lock.yaml tarball URLs) or reinstall, so every download goes through Airlock.\n");
        return b.toString();
    }

    /** pip trusts plain http to loopback by itself; everything else needs trusted-host. */
    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!LITERAL_IPV4.matcher(h).matches() && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
