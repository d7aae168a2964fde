package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a string literal says by itself: where data goes, which secrets it names, how it persists
 * or fetches code. Base64 payloads are decoded (a few levels deep) and read the same way.
 *
 * <p>Huge literals (bundled WebAssembly, embedded bundles: tens of megabytes in some clients) made
 * these scans take tens of seconds, because a regular expression tries every alternative at every
 * position. Two cheap checks keep them linear: a long literal made only of base64 characters is
 * read only as what it decodes to (no plain-text pattern has any business inside one), and a
 * pattern runs only on a literal that contains one of its needles, words every match must contain.
 */
final class LiteralRules {
    static final Pattern EXFIL = Pattern.compile("(?i)(discord(?:app)?\\.com/api/(?:v\\d+/)?webhooks"
            + "|api\\.telegram\\.org/bot|hooks\\.slack\\.com/services|webhook\\.site|pipedream\\.net|requestbin|hookbin"
            + "|beeceptor\\.com|burpcollaborator\\.net|oastify\\.com|\\.oast\\.(?:fun|live|site|online|me|pro)"
            + "|interact\\.sh|ngrok(?:-free)?\\.(?:io|app|dev)|trycloudflare\\.com|serveo\\.net|\\bloca\\.lt\\b"
            + "|canarytokens\\.com|dnslog\\.cn|ceye\\.io|requestcatcher\\.com|transfer\\.sh|anonfiles\\.com|gofile\\.io|filetransfer\\.io"
            + "|bashupload\\.com|pastebin\\.com/raw|paste\\.fo/raw|rentry\\.co|hastebin\\.com/raw|paste\\.ee/r/|discord\\.com/api/v\\d+/users/@me"
            + "|api\\.ipify\\.org|ipinfo\\.io|ifconfig\\.me|icanhazip\\.com|checkip\\.amazonaws\\.com|ip-api\\.com|grabify\\.link|iplogger\\.org)");
    /** The secret half of a chat channel (a Telegram bot token, a Discord webhook with its token): whoever ships it receives the data. */
    static final Pattern EXFIL_CREDENTIAL = Pattern.compile(
            "(?i)(^\\d{8,10}:AA[A-Za-z0-9_-]{33}$|discord(?:app)?\\.com/api/webhooks/\\d{17,20}/[\\w-]{60,})");
    static final Pattern RAW_IP_URL = Pattern.compile("(?i)\\b(?:https?|tcp|wss?)://((?:\\d{1,3}\\.){3}\\d{1,3})(?::\\d+)?");
    static final Pattern CREDENTIAL_STRONG = Pattern.compile("((?i:Local Storage[\\\\/]+leveldb)|Login Data|\\bWeb Data\\b"
            + "|Local State|discord(?:canary|ptb)?[\\\\/]+Local|[\\\\/]Exodus[\\\\/]|Electrum[\\\\/]+wallets|atomic[\\\\/]+Local"
            + "|\\.ethereum[\\\\/]+keystore|wallet\\.dat|nkbihfbeogaeaoehlefnkodbefgpgknn|/etc/shadow|Telegram Desktop[\\\\/]+tdata"
            + "|\\bCookies\\b.{0,40}(?:Chrome|Edge|Brave|Opera)|(?:Chrome|Edge|Brave|Opera).{0,60}[\\\\/]Cookies\\b"
            + "|Mozilla[\\\\/]+Firefox[\\\\/]+Profiles|(?i:discord(?:canary|ptb)?[\\\\/]+Local))");
    static final Pattern CREDENTIAL = Pattern.compile("(?i)(\\.ssh[\\\\/]+(?:id_\\w+|authorized_keys|known_hosts)"
            + "|\\.aws[\\\\/]+credentials|[\\\\/~]\\.npmrc\\b|\\.pypirc\\b|\\.git-credentials|\\.docker[\\\\/]+config\\.json"
            + "|\\.kube[\\\\/]+config|/etc/passwd|\\.bash_history|[\\\\/~]\\.netrc\\b|\\.gnupg"
            // A disk-wide hunt for dotenv files (find -name *.env, Get-ChildItem -Filter *.env) collects every project's secrets.
            + "|(?:-name|-filter)\\s+['\"]?\\*\\.env\\b)");
    static final Pattern PERSISTENCE = Pattern.compile("(?i)(Start Menu[\\\\/]+Programs[\\\\/]+Startup"
            + "|CurrentVersion[\\\\/]+Run(?:Once|Services)?\\b|schtasks(?:\\.exe)?\\s+/create|\\bcrontab\\s+-|/etc/cron\\.|LaunchAgents/"
            // systemd user units and XDG autostart run at every login without root.
            + "|\\.config/systemd/user\\b|systemctl\\s+--user\\s+(?:enable|start|daemon-reload)|\\.config/autostart\\b"
            // Appending to a shell start-up file runs the payload in every new terminal.
            + "|>>\\s*~?[\\w/$.{}]*\\.(?:bashrc|zshrc|bash_profile|profile)\\b|(?:^|[\\\\/~])\\.(?:bashrc|zshrc|bash_profile)$"
            // A workflow file pushed into a repository runs the attacker's job in CI with its secrets.
            + "|\\.github/workflows/[\\w.-]*\\.ya?ml$"
            + "|\\bWinlogon[\\\\/]+(?:Shell|Userinit)\\b|Image File Execution Options)");
    /**
     * Dynamic-DNS and tunnel domains: anyone can point a name there at a home machine for free, which
     * is why command-and-control servers live under them and published libraries do not.
     */
    static final Pattern DYNAMIC_DNS = Pattern.compile("(?i)(?:^|[/@.\\s'\"])((?:[\\w-]+\\.)+(?:duckdns\\.org|ddns\\.net|hopto\\.org"
            + "|zapto\\.org|sytes\\.net|no-ip\\.(?:org|biz|info|com)|noip\\.(?:me|us)|serveftp\\.com|servebeer\\.com|myftp\\.(?:org|biz)"
            + "|redirectme\\.net|ddnsking\\.com|dynu\\.net|dynu\\.com|freeddns\\.org|ddnsfree\\.com|mooo\\.com|chickenkiller\\.com"
            + "|dyndns\\.org|dynalias\\.com|3utilities\\.com|bounceme\\.net|gotdns\\.ch|kozow\\.com|linkpc\\.net|portmap\\.(?:io|host)"
            + "|ply\\.gg|playit\\.gg|loclx\\.io|pagekite\\.me))(?![\\w.-]*\\w)");
    static final Pattern SHELL_DROPPER = Pattern.compile("(?i)((?:curl|wget)\\b[^|;&\\n]{0,300}\\|\\s*(?:sudo\\s+)?(?:ba|z|da)?sh\\b"
            + "|Invoke-WebRequest|\\biwr\\s+(?:-\\w+\\s+)*https?://|DownloadFile\\(|DownloadString\\(|Net\\.WebClient|Start-BitsTransfer"
            + "|certutil(?:\\.exe)?\\s+-urlcache|bitsadmin\\s+/transfer|mshta\\s+https?:|powershell[^\\n]{0,80}\\s-e(?:nc|ncodedcommand)?\\s+[A-Za-z0-9+/=]{20,}"
            + "|/dev/tcp/\\d|\\bbash\\s+-i\\b|\\bnc(?:at)?\\s+(?:-\\w+\\s+)*-e\\s|exec\\(\\s*[\\w.]*(?:urlopen|requests\\.get)\\("
            + "|(?:curl|wget)\\b[^\\n]{0,300}(?:&&|;)\\s*(?:chmod\\s+\\+?[0-7x]+|\\./|sh\\s|bash\\s|python3?\\s)"
            // Decoded text piped into a shell, and PowerShell's fetch-and-evaluate idioms.
            + "|base64\\s+(?:-d|--decode|-D)\\s*\\|\\s*(?:sudo\\s+)?(?:ba|z|da)?sh\\b|\\b(?:iex|Invoke-Expression)\\b\\s*[(\\[$]"
            + "|powershell(?:\\.exe)?\\b[^\\n]{0,120}-(?:w|win|windowstyle)\\s+h(?:idden)?\\b[^\\n]{0,200}https?://"
            + "|FromBase64String\\([^\\n]{0,200}\\b(?:iex|Invoke-Expression|Invoke-Command)\\b"
            // A download tool fetching a program by name: curl.exe -O https://.../x.exe.
            + "|(?:curl|wget)(?:\\.exe)?\\s[^\\n|;&]{0,200}https?://[^\\s'\"]+\\.(?:exe|scr|msi|bat|ps1|vbs|jar)\\b"
            + "|\\bos\\.dup2\\(\\s*\\w+\\.fileno\\(\\)[^\\n]{0,200}(?:pty\\.spawn|/bin/(?:ba)?sh))");

    /** What a matched rule says; {@code hidden} when the match came out of an encoded string. */
    private interface Describe {
        String say(String match, String where, boolean hidden);
    }

    /**
     * One literal rule. {@code needles} are lower-case words every match contains (checked before
     * the pattern); {@code unless} names a rule whose match on the same literal
     * makes this one redundant.
     */
    private record Rule(String id, String severity, Role role, Pattern pattern, int group, List<String> needles, String unless,
                        Describe describe) {
    }

    private static final String HIDDEN = ", hidden in an encoded string";

    /** The table. Order matters only for {@code unless}. */
    private static final List<Rule> RULES = List.of(
            new Rule("exfiltration_endpoint", "high", Role.STRONG_THREAT, EXFIL, 1, List.of("discord", "telegram", "slack",
                    "webhook", "pipedream", "requestbin", "hookbin", "beeceptor", "burpcollaborator", "oast", "interact.sh", "ngrok",
                    "trycloudflare", "serveo", "loca.lt", "canarytokens", "dnslog", "ceye", "requestcatcher", "transfer.sh", "anonfiles",
                    "gofile", "filetransfer", "bashupload", "pastebin", "paste.", "rentry", "hastebin", "ipify", "ipinfo", "ifconfig",
                    "icanhazip", "checkip", "ip-api", "grabify", "iplogger"), null,
                    (m, w, h) -> "The code contains an exfiltration endpoint (" + m + ")" + w + (h ? HIDDEN : "") + "."),
            new Rule("embedded_exfiltration_credential", "high", Role.STRONG_THREAT, EXFIL_CREDENTIAL, 1, List.of(":aa", "discord"), null,
                    (m, w, h) -> "The code carries the secret of a chat channel (a bot token or webhook token), so data sent there goes"
                            + " to whoever published the package" + w + "."),
            new Rule("raw_ip_endpoint", "medium", Role.THREAT, RAW_IP_URL, 0, List.of("://"), null,
                    (m, w, h) -> "The code talks to a raw IP address (" + m + ")" + w + "."),
            new Rule("credential_store_access", "high", Role.STRONG_THREAT, CREDENTIAL_STRONG, 1, List.of("local storage",
                    "login data", "web data", "local state", "discord", "exodus", "electrum", "atomic", ".ethereum", "wallet.dat",
                    "nkbihfbeogaeaoehlefnkodbefgpgknn", "/etc/shadow", "telegram desktop", "cookies", "mozilla"), null,
                    (m, w, h) -> "The code reaches for a browser, chat or wallet credential store (" + m + ")" + w + "."),
            new Rule("credential_file_access", "medium", Role.THREAT, CREDENTIAL, 1, List.of(".ssh", ".aws", ".npmrc", ".pypirc",
                    ".git-credentials", ".docker", ".kube", "/etc/passwd", ".bash_history", ".netrc", ".gnupg", ".env"),
                    "credential_store_access", (m, w, h) -> "The code names a credential file (" + m + ")" + w + "."),
            new Rule("persistence", "high", Role.STRONG_THREAT, PERSISTENCE, 1, List.of("start menu", "currentversion", "schtasks",
                    "crontab", "/etc/cron.", "launchagents/", ".config/systemd/user", "systemctl", ".config/autostart", ">>", ".bashrc",
                    ".zshrc", ".bash_profile", ".github/workflows/", "winlogon", "image file execution options"), null,
                    (m, w, h) -> "The code installs itself to run at logon or on a schedule (" + FileScan.clip(m) + ")" + w + "."),
            new Rule("dynamic_dns_host", "high", Role.STRONG_THREAT, DYNAMIC_DNS, 1, List.of("duckdns", "ddns", "hopto", "zapto",
                    "sytes", "no-ip", "noip", "serveftp", "servebeer", "myftp", "redirectme", "dynu", "mooo", "chickenkiller", "dyndns",
                    "dynalias", "3utilities", "bounceme", "gotdns", "kozow", "linkpc", "portmap", "ply.gg", "playit.gg", "loclx",
                    "pagekite"), null,
                    (m, w, h) -> "The code names a host under a dynamic-DNS or tunnel domain (" + FileScan.clip(m) + ")" + w
                            + (h ? HIDDEN : "") + "; servers there are home machines, the usual seat of a command-and-control server."),
            new Rule("download_and_execute", "high", Role.STRONG_THREAT, SHELL_DROPPER, 1, List.of("curl", "wget", "invoke-webrequest",
                    "iwr", "downloadfile(", "downloadstring(", "net.webclient", "start-bitstransfer", "certutil", "bitsadmin", "mshta",
                    "powershell", "/dev/tcp/", "bash", "nc ", "nc\t", "nc\n", "nc\r", "nc\f", "nc\u000b", "ncat", "exec(", "base64",
                    "iex", "invoke-expression", "frombase64string", "dup2"), null,
                    (m, w, h) -> "A shell command downloads and runs code (" + FileScan.clip(m) + ")" + w + "."));

    private static final int MAX_DECODE_DEPTH = 3;
    /** An encoded literal this long is read only as what it decodes to. */
    private static final int LONG = 256;
    private static final int MIN_ENCODED = 40;

    private LiteralRules() {
    }

    /** Every distinct string of the file; a constant in a deep module says what a function may do, entry modules run on import. */
    static void strings(FileScan s) {
        boolean entry = s.f.path.endsWith("__init__.py") || s.f.path.endsWith("__main__.py") || s.f.path.indexOf('/') < 0;
        Context at = s.ctx == Context.IMPORT && !entry ? Context.RUNTIME : s.ctx;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (SourceFacts.Str str : s.f.strings) {
            // Generated code repeats the same keys thousands of times; one look per distinct value is enough.
            if (seen.add(str.value())) {
                scan(s.f, str.value(), str.line(), at, s.group, s.out, 0);
            }
        }
    }

    static void scan(SourceFacts f, String value, int line, Context ctx, String group, List<Hit> out, int depth) {
        if (value.length() < 6 || value.length() < 40 && !mayHoldThreat(value)) {
            return;
        }
        boolean encoded = value.length() >= MIN_ENCODED && Base64Text.looksEncoded(value);
        String decoded = encoded && depth < MAX_DECODE_DEPTH ? Base64Text.decode(value) : null;
        // Only what really decodes is read as its decoding alone: a command line of words, hyphens and one
        // base64 argument ("powershell -w hidden -EncodedCommand ...") looks encoded to the alphabet check too.
        if (!(decoded != null && value.length() >= LONG)) {
            // Needles first, at every length: measured on a bundled CLI (20,000 distinct literals), the patterns on
            // short literals cost more than all the long ones together.
            String lower = value.toLowerCase(Locale.ROOT);
            java.util.Set<String> fired = new java.util.HashSet<>();
            for (Rule r : RULES) {
                if (r.unless() != null && fired.contains(r.unless()) || !containsAny(lower, r.needles())) {
                    continue;
                }
                Matcher m = r.pattern().matcher(value);
                if (m.find() && (r.pattern() != RAW_IP_URL || isPublic(m.group(1)))) {
                    fired.add(r.id());
                    FileScan.add(out, f, line, r.id(), r.severity(), r.describe().say(m.group(r.group()), FileScan.where(ctx), depth > 0),
                            r.role(), ctx, group);
                }
            }
        }
        if (decoded != null) {
            {
                if (ctx == Context.INSTALL && depth == 0 && value.length() >= 200) {
                    FileScan.add(out, f, line, "encoded_payload", "medium", "A long base64 payload decodes to text" + FileScan.where(ctx)
                            + ".", Role.THREAT, ctx, group);
                }
                scan(f, decoded, line, ctx, group, out, depth + 1);
            }
        }
    }

    /** False only when a long literal lacks {@code lowerNeedle}: a cheap gate in front of a case-insensitive pattern. */
    static boolean mayContain(String value, String lowerNeedle) {
        return value.length() < LONG || value.toLowerCase(Locale.ROOT).contains(lowerNeedle);
    }

    private static boolean containsAny(String lower, List<String> needles) {
        for (String n : needles) {
            if (lower.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /** Every threat pattern needs a separator: a plain word (a dict key, a name) cannot match any of them. */
    private static boolean mayHoldThreat(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '/' || c == '\\' || c == '.' || c == ':' || c == ' ' || c == '|' || c == '-' || c == '~') {
                return true;
            }
        }
        return false;
    }

    static boolean isPublic(String ip) {
        String[] p = ip.split("\\.");
        int a = Integer.parseInt(p[0]);
        int b = Integer.parseInt(p[1]);
        if (a > 255 || b > 255) {
            return false;
        }
        return !(a == 0 || a == 10 || a == 127 || a >= 224 || (a == 169 && b == 254) || (a == 172 && b >= 16 && b <= 31)
                || (a == 192 && b == 168) || (a == 192 && b == 0) || (a == 198 && (b == 18 || b == 19 || b == 51))
                || (a == 203 && b == 0) || (a == 100 && b >= 64 && b <= 127) || ip.equals("1.1.1.1") || ip.equals("8.8.8.8"));
    }
}
