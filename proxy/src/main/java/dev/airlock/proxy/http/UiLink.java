package dev.airlock.proxy.http;

import dev.airlock.proxy.PublicBase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a refused request's package is shown in the admin UI ({@code <base>ui/#/package/<eco>/<name>/<version>}),
 * so a block message can say where to look. The base is the configured public URL, or what the
 * client used to reach Airlock.
 */
final class UiLink {
    private UiLink() {
    }

    /** The UI page of the exchange's package ({@code ecosystem:name[@version]}); the UI's start page when none is known. */
    static String of(HttpExchange ex) {
        String base = PublicBase.of(ex, ex.publicUrl()) + "ui/";
        String described = ex.packageDescription();
        int colon = described == null ? -1 : described.indexOf(':');
        if (colon <= 0) {
            return base;
        }
        String eco = described.substring(0, colon);
        String rest = described.substring(colon + 1);
        int at = rest.lastIndexOf('@');
        String name = at > 0 ? rest.substring(0, at) : rest;
        String version = at > 0 ? rest.substring(at + 1) : null;
        if (name.isEmpty()) {
            return base;
        }
        return base + "#/package/" + component(eco) + "/" + component(name) + (version == null || version.isEmpty() ? "" : "/" + component(version));
    }

    /** Like JavaScript's encodeURIComponent, which the UI decodes with decodeURIComponent. */
    private static String component(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
