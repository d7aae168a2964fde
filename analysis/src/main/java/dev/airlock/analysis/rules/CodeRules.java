package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.code.SourceFacts.Lang;
import dev.airlock.analysis.code.SourceFacts.Str;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The code rules: network, process execution, dynamic code, obfuscation, harvesting, exfiltration endpoints. */
public final class CodeRules {
    private static final Set<String> PY_NET = Set.of("socket", "requests", "urllib", "urllib2", "urllib3", "httplib",
            "httpx", "aiohttp", "ftplib", "smtplib", "telnetlib", "pycurl", "http", "websocket", "websockets", "dns");
    private static final Pattern PY_NET_CALL = Pattern.compile("^(?:requests\\.(?:get|post|put|patch|delete|head|request|Session|session)"
            + "|urllib\\.request\\.(?:urlopen|urlretrieve|Request|build_opener)|urllib2?\\.(?:urlopen|urlretrieve|Request)"
            + "|socket\\.(?:socket|create_connection|gethostbyname|getaddrinfo)|http\\.client\\.HTTPS?Connection|httplib\\.HTTPS?Connection"
            + "|httpx\\.\\w+|aiohttp\\.(?:ClientSession|request)|ftplib\\.FTP\\w*|smtplib\\.SMTP\\w*|telnetlib\\.Telnet"
            + "|pycurl\\.Curl|websocket\\.\\w+|websockets\\.connect|urllib3\\.(?:PoolManager|request|HTTPConnectionPool|HTTPSConnectionPool)"
            + "|dns\\.resolver\\.\\w+)$");
    private static final Set<String> JS_NET = Set.of("http", "https", "net", "dns", "tls", "dgram", "axios", "node-fetch",
            "request", "got", "superagent", "ws", "undici", "http2");
    private static final Set<String> JS_NET_GLOBALS = Set.of("fetch", "XMLHttpRequest", "WebSocket");
    private static final Set<String> PY_EXEC = Set.of("os.system", "os.popen", "os.startfile", "os.execv", "os.execve",
            "os.execl", "os.execlp", "os.execvp", "os.spawnl", "os.spawnv", "os.posix_spawn", "pty.spawn",
            "commands.getoutput", "commands.getstatusoutput");
    private static final Set<String> JS_EXEC = Set.of("exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork");
    private static final Set<String> PY_DYNAMIC = Set.of("exec", "eval", "compile", "builtins.exec", "builtins.eval");
    private static final Set<String> JS_DYNAMIC = Set.of("eval", "Function", "vm.runInThisContext", "vm.runInNewContext",
            "vm.runInContext", "vm.Script", "vm.compileFunction");
    private static final Pattern DECODER = Pattern.compile(
            "(?:^|\\.)(?:b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|decodestring|unhexlify|a2b_base64"
            + "|fromhex|decompress|decompressSync|inflateSync|gunzipSync|marshal\\.loads|chr|atob|fromCharCode|decrypt|Fernet|AESGCM)$|^codecs\\.decode$|^Buffer\\.from$");
    private static final Pattern IDENTITY_COMMAND = Pattern.compile("(?i)^\\s*(whoami|hostname|uname|id|ifconfig|ipconfig|systeminfo|net user|pwd)\\b");
    private static final Pattern PIP_INSTALL_COMMAND = Pattern.compile("(?i)^\\s*(?:\\S*python\\S*\\s+-m\\s+)?pip3?\\s+install\\b");
    private static final Pattern NETWORK_COMMAND = Pattern.compile("(?i)^\\s*(?:dig|nslookup|host|curl|wget|nc|ncat|ping|telnet)\\s");
    private static final Pattern BUILTIN_NAME = Pattern.compile("^(?:exec|eval|compile|__import__|getattr)$");
    private static final Pattern LITERAL_LOADER = Pattern.compile("__import__\\(|b64decode|marshal\\.loads|zlib\\.decompress");
    private static final Pattern UNDERSCORE_NAME = Pattern.compile("^_{4,}$");
    private static final Pattern PY_TRUSTED_URL = Pattern.compile("(?i)^https?://(?:[\\w.-]+\\.)?(?:python\\.org|pythonhosted\\.org|pypi\\.org)(?:/|$)");
    private static final Pattern URL = Pattern.compile("(?i)^https?://[\\w.-]+");
    /** Decoders that turn text into hidden text (not decompression or buffers, which every installer uses). */
    private static final Pattern TEXT_DECODER = Pattern.compile(
            "(?:^|\\.)(?:b64decode|b32decode|a85decode|b85decode|unhexlify|a2b_base64|fromhex|atob|fromCharCode|decrypt|Fernet)$|^marshal\\.loads$");
    private static final Set<String> PY_IDENTITY = Set.of("os.getlogin", "getpass.getuser", "socket.gethostname",
            "platform.node", "platform.uname", "os.uname", "uuid.getnode", "socket.gethostbyname");
    private static final Set<String> JS_IDENTITY = Set.of("os.hostname", "os.userInfo", "os.networkInterfaces");

    static final Pattern EXFIL = Pattern.compile("(?i)(discord(?:app)?\\.com/api/(?:v\\d+/)?webhooks"
            + "|api\\.telegram\\.org/bot|hooks\\.slack\\.com/services|webhook\\.site|pipedream\\.net|requestbin|hookbin"
            + "|beeceptor\\.com|burpcollaborator\\.net|oastify\\.com|\\.oast\\.(?:fun|live|site|online|me|pro)"
            + "|interact\\.sh|ngrok(?:-free)?\\.(?:io|app|dev)|trycloudflare\\.com|serveo\\.net|\\bloca\\.lt\\b"
            + "|canarytokens\\.com|dnslog\\.cn|ceye\\.io|requestcatcher\\.com|transfer\\.sh|anonfiles\\.com|gofile\\.io|filetransfer\\.io"
            + "|bashupload\\.com|pastebin\\.com/raw|paste\\.fo/raw|rentry\\.co|hastebin\\.com/raw|paste\\.ee/r/|discord\\.com/api/v\\d+/users/@me|api\\.ipify\\.org"
            + "|ipinfo\\.io|ifconfig\\.me|icanhazip\\.com|checkip\\.amazonaws\\.com|ip-api\\.com|grabify\\.link|iplogger\\.org)");
    private static final Pattern RAW_IP_URL = Pattern.compile(
            "(?i)\\b(?:https?|tcp|wss?)://((?:\\d{1,3}\\.){3}\\d{1,3})(?::\\d+)?");
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
    static final Pattern SHELL_DROPPER = Pattern.compile("(?i)((?:curl|wget)\\b[^|;&\\n]{0,300}\\|\\s*(?:sudo\\s+)?(?:ba|z|da)?sh\\b"
            + "|Invoke-WebRequest|\\biwr\\s+(?:-\\w+\\s+)*https?://|DownloadFile\\(|DownloadString\\(|Net\\.WebClient|Start-BitsTransfer"
            + "|certutil(?:\\.exe)?\\s+-urlcache|bitsadmin\\s+/transfer|mshta\\s+https?:|powershell[^\\n]{0,80}\\s-e(?:nc|ncodedcommand)?\\s+[A-Za-z0-9+/=]{20,}"
            + "|/dev/tcp/\\d|\\bbash\\s+-i\\b|\\bnc(?:at)?\\s+(?:-\\w+\\s+)*-e\\s|exec\\(\\s*[\\w.]*(?:urlopen|requests\\.get)\\(|(?:curl|wget)\\b[^\\n]{0,300}(?:&&|;)\\s*(?:chmod\\s+\\+?[0-7x]+|\\./|sh\\s|bash\\s|python3?\\s)"
            // Decoded text piped into a shell, and PowerShell's fetch-and-evaluate idioms.
            + "|base64\\s+(?:-d|--decode|-D)\\s*\\|\\s*(?:sudo\\s+)?(?:ba|z|da)?sh\\b|\\b(?:iex|Invoke-Expression)\\b\\s*[(\\[$]"
            + "|powershell(?:\\.exe)?\\b[^\\n]{0,120}-(?:w|win|windowstyle)\\s+h(?:idden)?\\b[^\\n]{0,200}https?://"
            + "|FromBase64String\\([^\\n]{0,200}\\b(?:iex|Invoke-Expression|Invoke-Command)\\b"
            // A download tool fetching a program by name: curl.exe -O https://.../x.exe.
            + "|(?:curl|wget)(?:\\.exe)?\\s[^\\n|;&]{0,200}https?://[^\\s'\"]+\\.(?:exe|scr|msi|bat|ps1|vbs|jar)\\b"
            + "|\\bos\\.dup2\\(\\s*\\w+\\.fileno\\(\\)[^\\n]{0,200}(?:pty\\.spawn|/bin/(?:ba)?sh))");
    private static final Pattern URL_EXECUTABLE = Pattern.compile(
            "(?i)https?://[^\\s'\"]+\\.(?:exe|scr|msi|bat|ps1|vbs|dll|bin|elf|sh|jar)(?:\\?[^\\s'\"]*)?$");
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
    private static final Pattern CODE_PAYLOAD = Pattern.compile("(?:\\bexec\\(|\\beval\\(|b64decode\\(|urlopen\\(|\\bsystem\\(|subprocess\\.)");
    private static final Pattern EXECUTABLE_NAME = Pattern.compile("(?i)^[^\\s'\"]{1,200}\\.(?:exe|scr|msi|bat|ps1|vbs)$");
    private static final Pattern BASE64ISH = Pattern.compile("^[A-Za-z0-9+/=\\s_-]{40,}$");
    private static final Pattern OBFUSCATOR_NAME = Pattern.compile("^_0x[0-9a-f]{4,6}$");
    private static final int MAX_DECODE_DEPTH = 3;
    private static final Pattern SNOWFLAKE = Pattern.compile("^\\d{17,20}$");
    private static final Pattern XOR_CIPHER = Pattern.compile("chr\\(\\s*ord\\([^()]*\\)\\s*\\^");
    /** "aHR0c" is how every base64-encoded "http" begins. */
    private static final Pattern ENCODED_URL = Pattern.compile("^aHR0c[A-Za-z0-9+/]{11,}={0,2}$");
    /** A request whose first argument is a decoder call: requests.get(base64.b64decode(X) + key). */
    private static final Pattern HIDDEN_DESTINATION = Pattern.compile(
            "\\b(?:get|post|put|request|urlopen|urlretrieve|Request|connect|create_connection)\\(\\s*(?:[\\w.]+\\.)?"
            + "(?:b64decode|b32decode|b85decode|a85decode|unhexlify|fromhex|decodebytes)\\(");
    /** Several names bound at once to exec/eval and other builtins: the opening line of Hyperion-style obfuscators. */
    private static final Pattern TUPLE_ALIAS = Pattern.compile(
            "^\\s*\\w+(?:\\s*,\\s*\\w+)+\\s*=\\s*(?:\\w+\\s*,\\s*)*(?:exec|eval)\\s*(?:,|$)");
    /** The secret half of a chat channel (a Telegram bot token, a Discord webhook with its token): whoever ships it receives the data. */
    static final Pattern EXFIL_CREDENTIAL = Pattern.compile(
            "(?i)(^\\d{8,10}:AA[A-Za-z0-9_-]{33}$|discord(?:app)?\\.com/api/webhooks/\\d{17,20}/[\\w-]{60,})");

    /** {@code a = exec}: the builtin bound to a plain name, to be called under it later. */
    private static final Pattern EXEC_ALIAS = Pattern.compile("^\\s*(\\w+)\\s*=\\s*(?:builtins\\.)?(?:exec|eval)\\s*(?:#.*)?$");

    private CodeRules() {
    }

    public static void scan(SourceFacts f, Context ctx, String group, List<Hit> out) {
        boolean py = f.lang == Lang.PYTHON;
        Set<String> importRoots = new HashSet<>();
        for (String m : f.imports.keySet()) {
            String r = m.startsWith("node:") ? m.substring(5) : m;
            importRoots.add(r.contains(".") && py ? r.substring(0, r.indexOf('.')) : r);
            importRoots.add(r);
        }
        boolean net = false;
        boolean exec = false;
        boolean netNow = false;
        boolean execNow = false;
        boolean environWhole = false;
        boolean hasDecoder = false;
        // Distinct identity sources: a display library resolving its own host name twice is not a fingerprint.
        Set<String> identity = new HashSet<>();
        Set<String> execAliases = new HashSet<>();
        if (py) {
            for (SourceFacts.Ref r : f.refs) {
                if (r.name().equals("exec") || r.name().equals("eval")) {
                    Matcher a = EXEC_ALIAS.matcher(f.snippet(r.line()));
                    if (a.find()) {
                        execAliases.add(a.group(1));
                    }
                }
            }
        }
        // chr(ord(a) ^ ord(b)): a character-level XOR cipher, which text processing has little use for next to exec
        // (tests that rebuild objects with chr(ord(c) + n) and eval their repr are common and harmless).
        boolean cipher = py && f.calls.stream().anyMatch(c -> c.callee().equals("chr") && c.argCallees().contains("ord")
                && XOR_CIPHER.matcher(f.snippet(c.line())).find());
        for (Call c : f.calls) {
            if (TEXT_DECODER.matcher(c.callee()).find()) {
                hasDecoder = true;
                break;
            }
        }
        for (Call c : f.calls) {
            String callee = c.callee();
            String root = callee.contains(".") ? callee.substring(0, callee.indexOf('.')) : callee;
            Context at = ctx == Context.IMPORT && !c.moduleLevel() ? Context.RUNTIME : ctx;
            boolean isNet = py ? importRoots.contains(root) && PY_NET_CALL.matcher(callee).find()
                    : (JS_NET.contains(root) && importRoots.contains(root)) || JS_NET_GLOBALS.contains(callee);
            boolean runsNow = ctx == Context.INSTALL || ctx == Context.IMPORT && c.moduleLevel();
            if (isNet && runsNow) {
                netNow = true;
            }
            if (py && (callee.equals("os.environ.items") || callee.equals("os.environ.copy"))) {
                environWhole = true;
            }
            if (py && isNet && HIDDEN_DESTINATION.matcher(f.snippet(c.line())).find()) {
                add(out, f, c.line(), "hidden_network_destination", "high",
                        "The address of a network call is decoded from an encoded constant (" + callee + ")" + where(at)
                        + "; honest clients name their servers.", at == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS,
                        at, group);
            }
            if (!net && isNet) {
                net = true;
                add(out, f, c.line(), "network_access", at == Context.INSTALL ? "medium" : "low",
                        "The code opens network connections (" + callee + ")" + where(at) + ".", Role.CAPABILITY, at, group);
            }
            boolean isExec = py ? callee.startsWith("subprocess.") && !callee.equals("subprocess.PIPE") || PY_EXEC.contains(callee)
                    : root.equals("child_process") && JS_EXEC.contains(callee.substring(callee.indexOf('.') + 1))
                    || callee.equals("shelljs.exec");
            if (isExec) {
                if (runsNow) {
                    execNow = true;
                }
                // The file-wide route is Python only: JavaScript installers parse tar headers with fromCharCode.
                boolean decodedArg = c.argCallees().stream().anyMatch(a -> TEXT_DECODER.matcher(a).find())
                        || py && hasDecoder && c.firstLiteral() == null && ctx == Context.INSTALL;
                if (decodedArg) {
                    add(out, f, c.line(), "obfuscated_command", "high",
                            "A decoded string is run as a command (" + callee + ")" + where(at) + ".", Role.STRONG_THREAT, at, group);
                }
                if (!exec) {
                    exec = true;
                    add(out, f, c.line(), "process_execution", at == Context.INSTALL ? "medium" : "low",
                            "The code runs other programs (" + callee + ")" + where(at) + ".", Role.CAPABILITY, at, group);
                }
                if (c.firstLiteral() != null) {
                    literalThreats(f, c.firstLiteral(), c.line(), at, group, out, 0);
                    Matcher idc = IDENTITY_COMMAND.matcher(c.firstLiteral());
                    if (idc.find()) {
                        identity.add(idc.group(1).toLowerCase(Locale.ROOT));
                    }
                    if (ctx == Context.INSTALL && PIP_INSTALL_COMMAND.matcher(c.firstLiteral()).find()) {
                        add(out, f, c.line(), "hidden_package_install", "high",
                                "Install-time code installs further packages behind pip's back (" + clip(c.firstLiteral()) + ").",
                                Role.STRONG_THREAT, at, group);
                    }
                    if (ctx == Context.INSTALL && NETWORK_COMMAND.matcher(c.firstLiteral()).find()) {
                        add(out, f, c.line(), "install_time_beacon", "high",
                                "Install-time code runs a network tool (" + clip(c.firstLiteral()) + ").",
                                Role.THREAT, at, group);
                    }
                }
            }
            boolean dynamic = py ? PY_DYNAMIC.contains(callee) : JS_DYNAMIC.contains(callee);
            if (dynamic) {
                boolean decoded = c.argCallees().stream().anyMatch(a -> DECODER.matcher(a).find());
                boolean readsFile = c.argCallees().stream().anyMatch(a -> a.equals("open") || a.endsWith(".read")
                        || a.endsWith("readFileSync") || a.endsWith(".read_text"));
                boolean indirect = hasDecoder && c.firstLiteral() == null && !readsFile
                        && (ctx == Context.INSTALL || py && at == Context.IMPORT);
                if (py && cipher && c.firstLiteral() == null && !readsFile) {
                    add(out, f, c.line(), "obfuscated_code_execution", "high",
                            "Code decrypted character by character (chr(ord(...) ...)) is executed (" + callee + ")" + where(at) + ".",
                            ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, at, group);
                }
                if (decoded || indirect) {
                    add(out, f, c.line(), "obfuscated_code_execution", "high",
                            "Encoded or computed code is decoded and executed (" + callee + ")" + where(at) + ".",
                            Role.STRONG_THREAT, at, group);
                } else if (!readsFile && !(callee.equals("compile") && py) && !(callee.equals("Function") && !py)) {
                    add(out, f, c.line(), "dynamic_code_execution", "low",
                            "The code evaluates dynamically built code (" + callee + ")" + where(at) + ".",
                            Role.CAPABILITY, at, group);
                }
            }
            if (py && ctx == Context.INSTALL && (callee.equals("pip.main") || callee.startsWith("pip._internal"))) {
                add(out, f, c.line(), "hidden_package_install", "high",
                        "Install-time code installs further packages behind pip's back (" + callee + ").",
                        Role.STRONG_THREAT, ctx, group);
            }
            if (dynamic && c.firstLiteral() != null && c.firstLiteral().length() < 200
                    && (BUILTIN_NAME.matcher(c.firstLiteral()).matches() || LITERAL_LOADER.matcher(c.firstLiteral()).find())) {
                add(out, f, c.line(), "obfuscated_code_execution", "high",
                        "Literal code that itself evaluates or imports is fed to " + callee + where(at) + ".",
                        Role.STRONG_THREAT, at, group);
            }
            if (!py && (callee.equals("WebhookClient") || callee.endsWith(".WebhookClient")) && c.firstLiteral() != null
                    && SNOWFLAKE.matcher(c.firstLiteral()).matches()) {
                // The client is handed the webhook's id and secret token right here: the data goes to whoever published this.
                add(out, f, c.line(), "embedded_exfiltration_credential", "high",
                        "A Discord webhook client is built with a webhook id and token shipped in the code" + where(at) + ".",
                        at == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, at, group);
            }
            if ((py ? PY_IDENTITY : JS_IDENTITY).contains(callee) && !callee.equals("socket.gethostbyname")) {
                identity.add(callee);
            }
            if (py && execAliases.contains(callee) && c.argCallees().stream().anyMatch(a -> DECODER.matcher(a).find())) {
                add(out, f, c.line(), "obfuscated_code_execution", "high",
                        "exec/eval under another name (" + callee + ") runs decoded code" + where(at) + ".", Role.STRONG_THREAT, at, group);
            }
        }
        for (SourceFacts.Ref r : f.refs) {
            Context at = ctx == Context.IMPORT && !r.moduleLevel() ? Context.RUNTIME : ctx;
            boolean whole = py ? r.name().equals("os.environ") && (r.next().equals(")") || r.next().equals(",") || r.next().equals("}"))
                    : r.name().equals("process.env") && (r.next().equals("FunctionCall") || r.next().equals(")") || r.next().equals(","));
            boolean serialised = whole && f.calls.stream().anyMatch(c -> c.line() == r.line()
                    && (c.callee().equals("json.dumps") || c.callee().equals("JSON.stringify") || c.callee().equals("str")
                    || c.callee().endsWith(".post") || c.callee().endsWith(".write") || c.callee().equals("Buffer.from")));
            if (whole) {
                environWhole = true;
            }
            if (whole && serialised) {
                add(out, f, r.line(), "environment_harvest", "high",
                        "The whole environment (" + r.name() + ") is serialised or sent" + where(at) + ".", Role.THREAT, at, group);
                break;
            }
        }
        if (py) {
            for (SourceFacts.Ref r : f.refs) {
                Context at = ctx == Context.IMPORT && !r.moduleLevel() ? Context.RUNTIME : ctx;
                if ((r.name().equals("exec") || r.name().equals("eval")) && (r.next().equals(",") || r.next().equals("")
                        || r.next().equals(")"))) {
                    if (r.moduleLevel() && TUPLE_ALIAS.matcher(f.snippet(r.line())).find()) {
                        add(out, f, r.line(), "builtin_tuple_aliasing", "high",
                                "exec/eval is bound to innocent-looking names in one tuple assignment, the way code obfuscators"
                                + " hide it" + where(at) + ".", Role.VERDICT_SUSPICIOUS, at, group);
                        break;
                    }
                    add(out, f, r.line(), "builtin_aliasing", "medium",
                            "The builtin " + r.name() + " is passed around under another name" + where(at) + ".",
                            Role.THREAT, at, group);
                    break;
                }
                if (r.name().equals("__builtins__") && f.calls.stream().anyMatch(c -> c.callee().equals("getattr"))) {
                    add(out, f, r.line(), "builtins_obfuscation", "high",
                            "Builtins are looked up by computed names (getattr(__builtins__, ...))" + where(at) + ".",
                            ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.THREAT, at, group);
                    break;
                }
            }
            long underscoreNames = f.names.stream().filter(n -> UNDERSCORE_NAME.matcher(n).matches()).count();
            if (underscoreNames >= 5 && hasDecoder) {
                add(out, f, 1, "obfuscator_identifiers", "medium",
                        underscoreNames + " identifiers made only of underscores, next to decoding calls" + where(ctx) + ".",
                        ctx == Context.RUNTIME ? Role.THREAT : Role.STRONG_THREAT, ctx, group);
            }
            if (net && ctx == Context.INSTALL) {
                for (Str s : f.strings) {
                    if (URL.matcher(s.value()).find() && !PY_TRUSTED_URL.matcher(s.value()).find()) {
                        add(out, f, s.line(), "install_time_download", "medium",
                                "setup-time code contacts a fixed address outside the package index (" + clip(s.value()) + ").",
                                Role.THREAT, ctx, group);
                        break;
                    }
                }
            }
        }
        if (environWhole && net && ctx == Context.INSTALL) {
            add(out, f, firstLine(f), "environment_harvest", "high",
                    "Install-time code walks the whole environment and has network access.", Role.THREAT, ctx, group);
        }
        if (execNow) {
            for (Str s : f.strings) {
                if (s.value().length() >= 40 && CODE_PAYLOAD.matcher(s.value()).find() && s.value().contains("import")) {
                    add(out, f, s.line(), "embedded_code_dropper", "high",
                            "A string holding code that fetches, decodes or executes is written out and run" + where(ctx) + ".",
                            Role.STRONG_THREAT, ctx, group);
                    break;
                }
            }
        }
        if (py && netNow && execNow) {
            for (Str s : f.strings) {
                if (EXECUTABLE_NAME.matcher(s.value()).find()) {
                    add(out, f, s.line(), "download_and_execute", "high",
                            "Code that runs on load downloads and starts an executable (" + clip(s.value()) + ")" + where(ctx) + ".",
                            Role.STRONG_THREAT, ctx, group);
                    break;
                }
            }
        }
        if (py && net) {
            for (Str s : f.strings) {
                String url = encodedUrl(s.value());
                if (url != null) {
                    add(out, f, s.line(), "hidden_network_destination", "high",
                            "A base64 constant decodes to an address (" + clip(url) + ") in code that uses the network" + where(ctx)
                            + "; honest clients name their servers.", ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS,
                            ctx, group);
                    break;
                }
            }
        }
        if (ctx == Context.INSTALL && !identity.isEmpty()) {
            add(out, f, firstLine(f), "install_identity_collection", "low", "Install-time code reads the user or host identity ("
                    + String.join(", ", identity) + ").", Role.INFO, ctx, group);
        }
        if (identity.size() >= 2 && net) {
            add(out, f, firstLine(f), "host_fingerprinting", "medium",
                    "The code collects host and user identity and has network access" + where(ctx) + ".", Role.THREAT, ctx, group);
        }
        Set<String> scanned = new HashSet<>();
        // A constant in a deep module says what a function may do, not what importing does; entry modules run on import.
        boolean entry = f.path.endsWith("__init__.py") || f.path.endsWith("__main__.py") || f.path.indexOf('/') < 0;
        Context stringCtx = ctx == Context.IMPORT && !entry ? Context.RUNTIME : ctx;
        for (Str s : f.strings) {
            // Generated code repeats the same keys thousands of times; one look per distinct value is enough.
            if (scanned.add(s.value())) {
                literalThreats(f, s.value(), s.line(), stringCtx, group, out, 0);
            }
        }
        if (net && exec) {
            for (Str s : f.strings) {
                if (URL_EXECUTABLE.matcher(s.value().trim()).find()) {
                    add(out, f, s.line(), "download_and_execute", "high",
                            "The code downloads an executable from a fixed address and can run programs" + where(ctx) + ".",
                            Role.STRONG_THREAT, ctx, group);
                    break;
                }
            }
        }
        long obfNames = f.names.stream().filter(n -> OBFUSCATOR_NAME.matcher(n).matches()).count();
        if (obfNames >= 5) {
            add(out, f, firstLine(f), "obfuscator_identifiers", "medium",
                    obfNames + " identifiers follow the javascript-obfuscator pattern (_0x...)" + where(ctx) + ".",
                    ctx == Context.INSTALL ? Role.THREAT : Role.INFO, ctx, group);
        }
        ShapeRules.scan(f, ctx, group, out);
    }

    /** String-level threats; base64 payloads are decoded (a few levels deep) and read the same way. */
    static void literalThreats(SourceFacts f, String value, int line, Context ctx, String group, List<Hit> out, int depth) {
        if (value.length() < 6 || value.length() < 40 && !mayHoldThreat(value)) {
            return;
        }
        Matcher m = EXFIL.matcher(value);
        if (m.find()) {
            add(out, f, line, "exfiltration_endpoint", "high", "The code contains an exfiltration endpoint (" + m.group(1) + ")"
                    + where(ctx) + (depth > 0 ? ", hidden in an encoded string" : "") + ".", Role.STRONG_THREAT, ctx, group);
        }
        m = EXFIL_CREDENTIAL.matcher(value);
        if (m.find()) {
            add(out, f, line, "embedded_exfiltration_credential", "high", "The code carries the secret of a chat channel (a bot token or"
                    + " webhook token), so data sent there goes to whoever published the package" + where(ctx) + ".",
                    Role.STRONG_THREAT, ctx, group);
        }
        m = RAW_IP_URL.matcher(value);
        if (m.find() && isPublic(m.group(1))) {
            add(out, f, line, "raw_ip_endpoint", "medium", "The code talks to a raw IP address (" + m.group(0) + ")" + where(ctx) + ".",
                    Role.THREAT, ctx, group);
        }
        m = CREDENTIAL_STRONG.matcher(value);
        if (m.find()) {
            add(out, f, line, "credential_store_access", "high",
                    "The code reaches for a browser, chat or wallet credential store (" + m.group(1) + ")" + where(ctx) + ".",
                    Role.STRONG_THREAT, ctx, group);
        } else if ((m = CREDENTIAL.matcher(value)).find()) {
            add(out, f, line, "credential_file_access", "medium",
                    "The code names a credential file (" + m.group(1) + ")" + where(ctx) + ".", Role.THREAT, ctx, group);
        }
        m = PERSISTENCE.matcher(value);
        if (m.find()) {
            add(out, f, line, "persistence", "high", "The code installs itself to run at logon or on a schedule (" + clip(m.group(1))
                    + ")" + where(ctx) + ".", Role.STRONG_THREAT, ctx, group);
        }
        m = DYNAMIC_DNS.matcher(value);
        if (m.find()) {
            add(out, f, line, "dynamic_dns_host", "high", "The code names a host under a dynamic-DNS or tunnel domain ("
                    + clip(m.group(1)) + ")" + where(ctx) + (depth > 0 ? ", hidden in an encoded string" : "")
                    + "; servers there are home machines, the usual seat of a command-and-control server.",
                    Role.STRONG_THREAT, ctx, group);
        }
        m = SHELL_DROPPER.matcher(value);
        if (m.find()) {
            add(out, f, line, "download_and_execute", "high",
                    "A shell command downloads and runs code (" + clip(m.group(1)) + ")" + where(ctx) + ".",
                    Role.STRONG_THREAT, ctx, group);
        }
        if (depth < MAX_DECODE_DEPTH && value.length() >= 40 && BASE64ISH.matcher(value).matches()) {
            String decoded = decodeBase64(value);
            if (decoded != null) {
                if (ctx == Context.INSTALL && depth == 0 && value.length() >= 200) {
                    add(out, f, line, "encoded_payload", "medium", "A long base64 payload decodes to text" + where(ctx) + ".",
                            Role.THREAT, ctx, group);
                }
                literalThreats(f, decoded, line, ctx, group, out, depth + 1);
            }
        }
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

    /** The URL a short base64 constant stands for, or null. */
    static String encodedUrl(String v) {
        if (v.length() < 16 || v.length() > 400 || !ENCODED_URL.matcher(v).matches()) {
            return null;
        }
        String decoded = decodeBase64(v);
        return decoded != null && URL.matcher(decoded).find() ? decoded.trim() : null;
    }

    private static String decodeBase64(String s) {
        String clean = s.replaceAll("\\s", "");
        byte[] raw;
        try {
            raw = clean.indexOf('-') >= 0 || clean.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(clean)
                    : Base64.getDecoder().decode(clean);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // PowerShell's -EncodedCommand is UTF-16LE: every other byte is zero.
        int zeros = 0;
        for (int i = 1; i < raw.length; i += 2) {
            if (raw[i] == 0) {
                zeros++;
            }
        }
        String text = zeros > raw.length / 3 ? new String(raw, StandardCharsets.UTF_16LE) : new String(raw, StandardCharsets.UTF_8);
        int printable = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t') {
                printable++;
            }
        }
        return text.length() > 0 && printable >= text.length() * 0.9 ? text : null;
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

    private static String where(Context ctx) {
        return switch (ctx) {
            case INSTALL -> " in install-time code";
            case IMPORT -> " as the module loads";
            default -> "";
        };
    }

    private static int firstLine(SourceFacts f) {
        return 1;
    }

    private static String clip(String s) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }

    static void add(List<Hit> out, SourceFacts f, int line, String rule, String severity, String message, Role role,
                    Context ctx, String group) {
        String location = f.path + ":" + line;
        for (Hit h : out) {
            if (h.finding().rule().equals(rule) && location.equals(h.finding().location())) {
                return;
            }
        }
        String snippet = f.snippet(line);
        out.add(new Hit(new Finding(rule, severity, "static", message, snippet, location), role, ctx, group));
    }

    /** Lower-cased shell command text as a pseudo source, so install scripts get the same string rules. */
    public static SourceFacts shellFacts(String path, String command) {
        SourceFacts f = new SourceFacts(path, Lang.JAVASCRIPT, command);
        f.strings.add(new Str(command, 1));
        return f;
    }

    static List<String> lowerAll(List<String> in) {
        List<String> out = new ArrayList<>();
        in.forEach(s -> out.add(s.toLowerCase(Locale.ROOT)));
        return out;
    }
}
