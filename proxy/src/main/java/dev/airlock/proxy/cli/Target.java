package dev.airlock.proxy.cli;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code ECOSYSTEM NAME [VERSION]} as typed, checked, and as the admin API's path names it. */
record Target(Ecosystem ecosystem, String name, String version) {
    /**
     * Reads the positional arguments of a subcommand.
     *
     * @throws AdminException (usage) for a wrong count, an unknown ecosystem, or a name or
     *     version the ecosystem does not allow
     */
    static Target of(List<String> positional, boolean versionRequired) throws AdminException {
        int min = versionRequired ? 3 : 2;
        if (positional.size() < min || positional.size() > 3) {
            throw AdminException.usage("expected ECOSYSTEM NAME" + (versionRequired ? " VERSION" : " [VERSION]"));
        }
        Ecosystem eco;
        try {
            eco = Ecosystem.parse(positional.get(0));
            PackageNames.normalize(eco, positional.get(1));
        } catch (IllegalArgumentException e) {
            throw AdminException.usage(e.getMessage());
        }
        String version = positional.size() == 3 ? positional.get(2) : null;
        if (version != null && !PackageNames.isValidVersion(version)) {
            throw AdminException.usage("invalid version '" + version + "'");
        }
        return new Target(eco, positional.get(1), version);
    }

    /** {@code ecosystem/name[/version]}; scoped npm names travel as {@code @scope%2fname}, the form the API documents. */
    String path() {
        String seg = enc(name);
        seg = seg.startsWith("%40") ? "@" + seg.substring(3) : seg;
        return ecosystem.id() + "/" + seg + (version == null ? "" : "/" + enc(version));
    }

    String label() {
        return ecosystem.id() + ":" + name + (version == null ? " (every version)" : "@" + version);
    }

    /** A path segment or query value: percent-encoded, spaces as {@code %20}. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
