package dev.airlock.proxy.npm;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The URLs Airlock writes into npm metadata: tarballs and provenance attestations under its own
 * npm base, so clients fetch both through Airlock (npm uses a {@code dist.tarball} that does not
 * name the public registry as it is, and fetches {@code dist.attestations.url} as it is).
 *
 * @param npmBase  Airlock's npm base as clients see it, ending with {@code /}
 * @param upstream the configured npm upstream (attestation URLs pointing at it are rewritten)
 */
public record NpmLinks(String npmBase, URI upstream) {
    private static final Pattern PLAIN_TGZ = Pattern.compile("[A-Za-z0-9._~+-]+\\.tgz");
    static final String ATTESTATIONS = "-/npm/v1/attestations/";

    public NpmLinks {
        if (npmBase == null || !npmBase.endsWith("/")) {
            throw new IllegalArgumentException("npm base must end with '/': " + npmBase);
        }
    }

    /** {@code <base><name>/-/<file>}, keeping the upstream file name when it is a plain .tgz name. */
    public String tarball(NpmPackageName name, String version, String upstreamTarball) {
        String file = name.tarballFile(version);
        if (upstreamTarball != null) {
            int slash = upstreamTarball.lastIndexOf('/');
            String last = slash >= 0 ? upstreamTarball.substring(slash + 1) : upstreamTarball;
            if (PLAIN_TGZ.matcher(last).matches()) {
                file = last;
            }
        }
        return npmBase + name.full() + "/-/" + file;
    }

    /**
     * Airlock's URL for an attestations URL the upstream wrote, or null to keep it as it is (it
     * points elsewhere than the upstream: Airlock does not relay it). The upstream's own spelling
     * of {@code <name>@<version>} (e.g. {@code %2f} in a scope) is kept.
     */
    public String attestations(NpmPackageName name, String version, String upstreamUrl) {
        if (upstreamUrl == null || upstream == null || !sameOrigin(upstreamUrl)) {
            return null;
        }
        int at = upstreamUrl.indexOf("/" + ATTESTATIONS);
        String tail = at >= 0 ? upstreamUrl.substring(at + 1 + ATTESTATIONS.length())
                : name.urlForm() + "@" + version;
        if (tail.isEmpty() || tail.contains("?") || tail.contains("#") || tail.contains("..")) {
            tail = name.urlForm() + "@" + version;
        }
        return npmBase + ATTESTATIONS + tail;
    }

    private boolean sameOrigin(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return u.getScheme() != null && u.getHost() != null
                && u.getScheme().equalsIgnoreCase(upstream.getScheme())
                && u.getHost().toLowerCase(Locale.ROOT).equals(upstream.getHost() == null ? "" : upstream.getHost().toLowerCase(Locale.ROOT))
                && port(u) == port(upstream);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
