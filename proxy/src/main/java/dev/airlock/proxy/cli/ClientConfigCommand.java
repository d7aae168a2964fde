package dev.airlock.proxy.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code bin/airlock client-config --url URL [--client NAME]}: prints ready-to-paste settings for
 * pip, uv, poetry, npm, pnpm and yarn pointing at one Airlock. Exit codes: 0 printed, 2 usage.
 */
public final class ClientConfigCommand {
    static final List<String> CLIENTS = List.of("pip", "uv", "poetry", "npm", "pnpm", "yarn");
    /** What can go into a URL's user-info and a config line without quoting. */
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._~+/=-]+$");
    private static final Pattern LITERAL_IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    private ClientConfigCommand() {
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err);
    }

    /** For tests and embedding: explicit environment and streams. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String url = env.get("AIRLOCK_URL");
        String client = null;
        String token = env.get("AIRLOCK_CLIENT_TOKEN");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(usage());
                return 0;
            }
            if ((a.equals("--url") || a.equals("--client") || a.equals("--token")) && i + 1 >= args.length) {
                err.println("airlock client-config: " + a + " needs a value\n" + usage());
                return 2;
            }
            if (a.equals("--url")) {
                url = args[++i];
            } else if (a.startsWith("--url=")) {
                url = a.substring(6);
            } else if (a.equals("--token")) {
                token = args[++i];
            } else if (a.startsWith("--token=")) {
                token = a.substring(8);
            } else if (a.equals("--client")) {
                client = args[++i];
            } else if (a.startsWith("--client=")) {
                client = a.substring(9);
            } else {
                err.println("airlock client-config: unknown argument '" + a + "'\n" + usage());
                return 2;
            }
        }
        if (url == null) {
            err.println("airlock client-config: --url is required (the address developers reach Airlock at)\n" + usage());
            return 2;
        }
        URI base;
        try {
            base = parseBase(url);
        } catch (IllegalArgumentException e) {
            err.println("airlock client-config: " + e.getMessage());
            return 2;
        }
        if (client != null && !CLIENTS.contains(client)) {
            err.println("airlock client-config: unknown client '" + client + "' (one of " + String.join(", ", CLIENTS) + ")");
            return 2;
        }
        if (token != null && (token.isBlank() || !TOKEN.matcher(token).matches())) {
            err.println("airlock client-config: --token must be the token itself (letters, digits and -._~+/=)");
            return 2;
        }
        out.print(render(base, client, token));
        return 0;
    }

    static String usage() {
        return "usage: airlock client-config --url URL [--client pip|uv|poetry|npm|pnpm|yarn] [--token TOKEN]\n"
                + "  URL is how developers reach Airlock, e.g. http://airlock.internal:8080\n"
                + "  TOKEN is a client token (clients.tokens); also read from $AIRLOCK_CLIENT_TOKEN";
    }

    /** Validates and normalises the base URL: http(s), a host, no query or fragment, ends in '/'. */
    static URI parseBase(String text) {
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + text + "'");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http:// or https:// URL with a host, got '" + text + "'");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("--url must not have a query or fragment, got '" + text + "'");
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
