package dev.airlock.proxy.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which HTTP proxy an upstream call goes through: {@code upstream.proxy} for every call when it is
 * configured, otherwise {@code HTTPS_PROXY} for https upstreams and {@code HTTP_PROXY} for http ones
 * (either case, as curl and pip read them), except for hosts on the no-proxy list. The JDK client
 * reaches https upstreams through the proxy with CONNECT, so the upstream's certificate is still
 * checked end to end.
 */
public final class UpstreamProxies extends ProxySelector {
    private final Proxy https;
    private final Proxy http;
    private final List<String> noProxy;

    private UpstreamProxies(Proxy https, Proxy http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /**
     * @param configured {@code upstream.proxy} (null: from the environment)
     * @param noProxy    {@code upstream.noProxy} (null: {@code NO_PROXY} from the environment)
     * @return empty when every call goes direct
     * @throws IllegalArgumentException a proxy setting is not {@code http://host:port}
     */
    public static Optional<UpstreamProxies> of(URI configured, List<String> noProxy, Map<String, String> env) {
        Proxy https;
        Proxy http;
        if (configured != null) {
            https = proxy("upstream.proxy", configured.toString());
            http = https;
        } else {
            https = proxy("HTTPS_PROXY", env(env, "HTTPS_PROXY"));
            http = proxy("HTTP_PROXY", env(env, "HTTP_PROXY"));
        }
        if (https == null && http == null) {
            return Optional.empty();
        }
        List<String> skip = noProxy != null ? noProxy : split(env(env, "NO_PROXY"));
        return Optional.of(new UpstreamProxies(https, http, normalise(skip)));
    }

    @Override
    public List<Proxy> select(URI uri) {
        Proxy p = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        if (p == null || bypassed(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(p);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // The call fails and is retried or reported by the client; there is no second proxy to try.
    }

    /** The proxy an https upstream goes through, for the startup banner (empty: direct). */
    public Optional<String> describe() {
        Proxy p = https != null ? https : http;
        InetSocketAddress a = (InetSocketAddress) p.address();
        return Optional.of("http://" + a.getHostString() + ":" + a.getPort()
                + (noProxy.isEmpty() ? "" : " (not for " + String.join(",", noProxy) + ")"));
    }

    /**
     * curl's rules: {@code *} is everything; {@code example.com} and {@code .example.com} match it
     * and its subdomains. Loopback always goes direct: a proxy elsewhere cannot reach this host's.
     */
    boolean bypassed(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1")) {
            return true;
        }
        for (String n : noProxy) {
            if (n.equals("*") || h.equals(n) || h.endsWith("." + n)) {
                return true;
            }
        }
        return false;
    }

    private static Proxy proxy(String what, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        URI u;
        try {
            u = URI.create(v.contains("://") ? v : "http://" + v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not a URL: '" + value + "'");
        }
        if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException(what + " must be http://host:port (the proxy itself is spoken to in plain "
                    + "HTTP; https upstreams go through it with CONNECT), got '" + value + "'");
        }
        if (u.getUserInfo() != null) {
            throw new IllegalArgumentException(what + ": proxy credentials in the URL are not supported; allow "
                    + "Airlock's host on the proxy instead");
        }
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()));
    }

    private static String env(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank() ? v : env.get(name.toLowerCase(Locale.ROOT));
    }

    private static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (String s : list.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    private static List<String> normalise(List<String> entries) {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            String n = e.trim().toLowerCase(Locale.ROOT);
            if (n.startsWith("*.")) {
                n = n.substring(2);
            } else if (n.startsWith(".")) {
                n = n.substring(1);
            }
            int colon = n.lastIndexOf(':');
            if (colon > 0 && n.indexOf(':') == colon) {
                n = n.substring(0, colon);
            }
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }
}
