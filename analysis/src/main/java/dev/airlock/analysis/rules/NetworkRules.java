package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.code.SourceFacts.Str;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.regex.Pattern;

/**
 * Network use: the capability itself, destinations hidden behind decoders or base64 constants,
 * chat webhooks built with their secret, and setup-time code that contacts fixed addresses.
 */
final class NetworkRules {
    /** A request whose first argument is a decoder call: requests.get(base64.b64decode(X) + key). */
    private static final Pattern HIDDEN_DESTINATION = Pattern.compile(
            "\\b(?:get|post|put|request|urlopen|urlretrieve|Request|connect|create_connection)\\(\\s*(?:[\\w.]+\\.)?"
            + "(?:b64decode|b32decode|b85decode|a85decode|unhexlify|fromhex|decodebytes)\\(");
    private static final Pattern SNOWFLAKE = Pattern.compile("^\\d{17,20}$");
    private static final Pattern PY_TRUSTED_URL = Pattern.compile(
            "(?i)^https?://(?:[\\w.-]+\\.)?(?:python\\.org|pythonhosted\\.org|pypi\\.org)(?:/|$)");
    static final Pattern URL = Pattern.compile("(?i)^https?://[\\w.-]+");
    /** "aHR0c" is how every base64-encoded "http" begins. */
    private static final Pattern ENCODED_URL = Pattern.compile("^aHR0c[A-Za-z0-9+/]{11,}={0,2}$");

    private NetworkRules() {
    }

    /** network_access, hidden_network_destination (decoder as address), embedded_exfiltration_credential (webhook client). */
    static void call(FileScan s, Call c) {
        boolean isNet = s.isNet(c);
        Context at = s.at(c.moduleLevel());
        String callee = c.callee();
        if (isNet && s.runsNow(c)) {
            s.netNow = true;
        }
        if (s.py && isNet && HIDDEN_DESTINATION.matcher(s.f.snippet(c.line())).find()) {
            s.add(c.line(), "hidden_network_destination", "high", "The address of a network call is decoded from an encoded constant ("
                    + callee + ")" + FileScan.where(at) + "; honest clients name their servers.",
                    at == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, at);
        }
        if (!s.net && isNet) {
            s.net = true;
            s.add(c.line(), "network_access", at == Context.INSTALL ? "medium" : "low",
                    "The code opens network connections (" + callee + ")" + FileScan.where(at) + ".", Role.CAPABILITY, at);
        }
        if (!s.py && (callee.equals("WebhookClient") || callee.endsWith(".WebhookClient")) && c.firstLiteral() != null
                && SNOWFLAKE.matcher(c.firstLiteral()).matches()) {
            // The client is handed the webhook's id and secret token right here: the data goes to whoever published this.
            s.add(c.line(), "embedded_exfiltration_credential", "high",
                    "A Discord webhook client is built with a webhook id and token shipped in the code" + FileScan.where(at) + ".",
                    at == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, at);
        }
    }

    /** install_time_download: setup.py code with network access names a fixed address outside the index. */
    static void installDownload(FileScan s) {
        if (!s.py || !s.net || s.ctx != Context.INSTALL) {
            return;
        }
        for (Str str : s.f.strings) {
            if (URL.matcher(str.value()).find() && !PY_TRUSTED_URL.matcher(str.value()).find()) {
                s.add(str.line(), "install_time_download", "medium", "setup-time code contacts a fixed address outside the package index ("
                        + FileScan.clip(str.value()) + ").", Role.THREAT, s.ctx);
                return;
            }
        }
    }

    /** hidden_network_destination: a short base64 constant that decodes to a URL, in code that uses the network. */
    static void encodedAddress(FileScan s) {
        if (!s.py || !s.net) {
            return;
        }
        for (Str str : s.f.strings) {
            String url = encodedUrl(str.value());
            if (url != null) {
                s.add(str.line(), "hidden_network_destination", "high", "A base64 constant decodes to an address (" + FileScan.clip(url)
                        + ") in code that uses the network" + FileScan.where(s.ctx) + "; honest clients name their servers.",
                        s.ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, s.ctx);
                return;
            }
        }
    }

    /** The URL a short base64 constant stands for, or null. */
    static String encodedUrl(String v) {
        if (v.length() < 16 || v.length() > 400 || !ENCODED_URL.matcher(v).matches()) {
            return null;
        }
        String decoded = Base64Text.decode(v);
        return decoded != null && URL.matcher(decoded).find() ? decoded.trim() : null;
    }
}
