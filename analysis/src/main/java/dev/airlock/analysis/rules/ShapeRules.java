package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.code.SourceFacts.Lang;
import dev.airlock.analysis.code.SourceFacts.Str;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * File-level shapes of attacks that no single call or string gives away: import hooks that exec
 * into the importer, identity beacons at load, reverse shells, MCP servers that run any command,
 * worm behaviour (secret scanners, self-publishing, AI CLIs told to skip their safeguards),
 * browser wallet clippers, anti-forensics and DNS-label exfiltration.
 */
final class ShapeRules {
    private static final Set<String> PY_USER_ID = Set.of("os.getlogin", "getpass.getuser", "pwd.getpwuid");
    private static final Set<String> PY_HOST_ID = Set.of("socket.gethostname", "platform.node", "platform.uname", "os.uname",
            "uuid.getnode", "platform.platform", "platform.system");
    private static final Set<String> JS_USER_ID = Set.of("os.userInfo", "os.homedir");
    private static final Set<String> JS_HOST_ID = Set.of("os.hostname", "os.networkInterfaces", "os.platform", "os.type");
    private static final Pattern USER_ENV = Pattern.compile("^(?:USER|USERNAME|LOGNAME)$");
    private static final Pattern FRAME_ACCESS = Pattern.compile("(?:^|\\.)(?:_getframe|currentframe|f_back|f_globals|f_locals)$");
    private static final Pattern MCP_IMPORT = Pattern.compile("^(?:mcp|fastmcp|@modelcontextprotocol/sdk)(?:[./].*)?$");
    private static final Pattern SHELL_TRUE = Pattern.compile("shell\\s*=\\s*True|shell:\\s*true");
    private static final Pattern SHELL_BINARY = Pattern.compile("^(?:/bin/|/usr/bin/)?(?:ba|z|da)?sh$|^cmd(?:\\.exe)?$|^powershell");
    private static final Pattern SECRET_SCANNER = Pattern.compile("(?i)\\btrufflehog\\b|\\bgitleaks\\b");
    private static final Pattern SELF_PUBLISH = Pattern.compile("(?i)\\bnpm\\s+publish\\b|\\btwine\\s+upload\\b");
    private static final Pattern REPO_CREATE = Pattern.compile("(?i)api\\.github\\.com/(?:user/repos|repos/[^\\s'\"]*/(?:actions/secrets|contents/\\.github))");
    /** AI coding CLIs launched with their permission prompts switched off, to search the disk for secrets. */
    private static final Pattern AI_CLI_UNSAFE = Pattern.compile(
            "(?i)--dangerously-skip-permissions|--yolo\\b|--trust-all-tools|--allow-all-tools|--dangerously-bypass");
    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final Pattern WALLET_HOOK = Pattern.compile("^(?:window\\.)?ethereum\\.request$|^XMLHttpRequest\\.prototype\\.(?:open|send)$"
            + "|^(?:window\\.)?fetch$|^(?:window\\.)?solana\\.\\w+$");
    private static final Set<String> JS_DNS = Set.of("dns.lookup", "dns.resolve", "dns.resolve4", "dns.resolveTxt", "dns.resolveAny",
            "dns.promises.resolve", "dns.promises.lookup");

    private ShapeRules() {
    }

    static void scan(SourceFacts f, Context ctx, String group, List<Hit> out) {
        boolean py = f.lang == Lang.PYTHON;
        Set<String> callees = new HashSet<>();
        boolean userId = false;
        boolean hostId = false;
        boolean netNow = false;
        boolean runsNowExec = false;
        for (Call c : f.calls) {
            callees.add(c.callee());
            boolean now = ctx == Context.INSTALL || ctx == Context.IMPORT && c.moduleLevel();
            if ((py ? PY_USER_ID : JS_USER_ID).contains(c.callee())
                    || (c.callee().equals("os.getenv") || c.callee().equals("os.environ.get")) && c.firstLiteral() != null
                    && USER_ENV.matcher(c.firstLiteral()).matches()) {
                userId |= now;
            }
            if ((py ? PY_HOST_ID : JS_HOST_ID).contains(c.callee())) {
                hostId |= now;
            }
            if (now && isNetwork(c.callee(), py)) {
                netNow = true;
            }
            if (now && isExec(c.callee(), py)) {
                runsNowExec = true;
            }
        }
        Context nowCtx = ctx == Context.RUNTIME ? Context.RUNTIME : ctx;
        if (userId && hostId && netNow) {
            // Who and where, sent the moment the package installs or loads: no feature needs that before it is used.
            CodeRules.add(out, f, 1, "identity_beacon", "high", "The user and host names are collected and the network is used as"
                    + " soon as the code " + (ctx == Context.INSTALL ? "installs" : "loads") + ".", Role.STRONG_THREAT, nowCtx, group);
        }
        if (py) {
            python(f, ctx, group, out, callees);
        } else {
            javascript(f, ctx, group, out, callees, runsNowExec);
        }
        mcp(f, ctx, group, out, py);
    }

    private static void python(SourceFacts f, Context ctx, String group, List<Hit> out, Set<String> callees) {
        // A finder put on sys.meta_path: code that only saves and restores the list (pytest's
        // pytester snapshots it) installs nothing and was read as an import hook.
        boolean metaPath = callees.stream().anyMatch(c -> c.equals("sys.meta_path.insert") || c.equals("sys.meta_path.append")
                || c.equals("sys.meta_path.extend") || c.equals("sys.meta_path.__setitem__"));
        boolean frame = callees.stream().anyMatch(c -> FRAME_ACCESS.matcher(c).find())
                || f.refs.stream().anyMatch(r -> FRAME_ACCESS.matcher(r.name()).find() || r.name().contains(".f_globals")
                || r.name().contains(".f_back"));
        Call dynExec = f.calls.stream().filter(c -> (c.callee().equals("exec") || c.callee().equals("eval")) && c.firstLiteral() == null)
                .findFirst().orElse(null);
        if (metaPath && dynExec != null && frame) {
            boolean atLoad = ctx != Context.RUNTIME && f.calls.stream().anyMatch(c -> c.callee().startsWith("sys.meta_path.") && c.moduleLevel());
            Context at = atLoad ? ctx : Context.RUNTIME;
            CodeRules.add(out, f, dynExec.line(), "import_hook_exec", "critical", "An import hook on sys.meta_path executes code into"
                    + " the importing frame (" + dynExec.callee() + " with frame globals), so any import runs a hidden payload.",
                    atLoad ? Role.VERDICT_MALICIOUS : Role.VERDICT_SUSPICIOUS, at, group);
        }
        long dup2 = f.calls.stream().filter(c -> c.callee().equals("os.dup2")).count();
        boolean socket = callees.stream().anyMatch(c -> c.startsWith("socket."));
        boolean shell = callees.contains("pty.spawn") || f.calls.stream().anyMatch(c -> isExec(c.callee(), true)
                && c.firstLiteral() != null && SHELL_BINARY.matcher(c.firstLiteral()).find())
                || f.strings.stream().anyMatch(s -> SHELL_BINARY.matcher(s.value()).find());
        if (dup2 >= 2 && socket && shell) {
            Call c = f.calls.stream().filter(x -> x.callee().equals("os.dup2")).findFirst().orElseThrow();
            boolean now = ctx == Context.INSTALL || ctx == Context.IMPORT && c.moduleLevel();
            CodeRules.add(out, f, c.line(), "reverse_shell", "critical", "A socket is wired to a shell's standard streams (os.dup2 onto"
                    + " a shell): a reverse shell.", now ? Role.VERDICT_MALICIOUS : Role.VERDICT_SUSPICIOUS,
                    now ? ctx : Context.RUNTIME, group);
        }
        boolean sitePackages = callees.stream().anyMatch(c -> c.equals("site.getsitepackages") || c.equals("site.getusersitepackages")
                || c.equals("sysconfig.get_paths") || c.equals("sysconfig.get_path"));
        boolean writesPth = f.strings.stream().anyMatch(s -> s.value().endsWith(".pth") && s.value().length() < 200);
        if (sitePackages && writesPth && ctx != Context.RUNTIME) {
            CodeRules.add(out, f, lineOf(f, ".pth"), "persistence", "high", "The code writes a .pth file into site-packages, which"
                    + " runs on every interpreter start.", Role.STRONG_THREAT, ctx, group);
        }
    }

    private static void javascript(SourceFacts f, Context ctx, String group, List<Hit> out, Set<String> callees, boolean execNow) {
        boolean exec = callees.stream().anyMatch(c -> isExec(c, false));
        for (Str s : f.strings) {
            String v = s.value();
            if (exec && (LiteralRules.mayContain(v, "trufflehog") || LiteralRules.mayContain(v, "gitleaks"))
                    && SECRET_SCANNER.matcher(v).find()) {
                CodeRules.add(out, f, s.line(), "secret_scanner", "high", "The code runs a secret scanner (" + clip(v)
                        + ") over the machine it is installed on.", Role.STRONG_THREAT, ctx, group);
            }
            if (exec && (LiteralRules.mayContain(v, "publish") || LiteralRules.mayContain(v, "upload"))
                    && SELF_PUBLISH.matcher(v).find()) {
                CodeRules.add(out, f, s.line(), "self_publish", "critical", "The code publishes packages with the victim's token ("
                        + clip(v) + "): a worm's way of spreading.", Role.STRONG_THREAT, ctx, group);
            }
            if (LiteralRules.mayContain(v, "api.github.com") && REPO_CREATE.matcher(v).find()) {
                CodeRules.add(out, f, s.line(), "repository_tampering", "high", "The code creates repositories or writes workflows and"
                        + " secrets through the GitHub API (" + clip(v) + ").", Role.STRONG_THREAT, ctx, group);
            }
            if (exec && LiteralRules.mayContain(v, "--") && AI_CLI_UNSAFE.matcher(v).find()) {
                CodeRules.add(out, f, s.line(), "ai_cli_abuse", "critical", "The code runs an AI coding assistant with its permission"
                        + " checks switched off (" + clip(v) + "), the way stealers have it hunt for secrets.", Role.STRONG_THREAT, ctx, group);
            }
        }
        // Regular-expression literals are not strings to the parser, so the source text is read; distinct formats count.
        boolean hooks = callees.stream().anyMatch(c -> WALLET_HOOK.matcher(c).find())
                || f.refs.stream().anyMatch(r -> r.name().contains("ethereum") || r.name().startsWith("XMLHttpRequest.prototype"));
        long addressRegexes = hooks && f.source.length() < 4_000_000 ? addressFormats(f.source) : 0;
        if (addressRegexes >= 3 && hooks) {
            // Patterns for several chains' addresses next to hooks on the wallet provider or the page's requests:
            // a clipper that swaps the recipient of a payment. It needs no install script; loading is enough.
            CodeRules.add(out, f, 1, "wallet_clipper", "critical", "The code matches several cryptocurrency address formats and hooks"
                    + " the wallet provider or the page's network calls, to swap payment recipients.",
                    ctx == Context.RUNTIME ? Role.VERDICT_SUSPICIOUS : Role.VERDICT_MALICIOUS, ctx, group);
        }
        boolean deletesSelf = f.calls.stream().anyMatch(c -> (c.callee().endsWith("unlinkSync") || c.callee().endsWith("rmSync")
                || c.callee().endsWith(".unlink")) && f.snippet(c.line()).contains("__filename"));
        boolean rewritesManifest = f.calls.stream().anyMatch(c -> (c.callee().endsWith("writeFileSync") || c.callee().endsWith("renameSync")
                || c.callee().endsWith("copyFileSync")) && f.snippet(c.line()).contains("package"))
                || f.strings.stream().anyMatch(s -> s.value().equals("package.md"));
        if (ctx == Context.INSTALL && deletesSelf && rewritesManifest) {
            CodeRules.add(out, f, 1, "anti_forensics", "high", "Install-time code deletes itself and rewrites package.json to hide what"
                    + " ran.", Role.STRONG_THREAT, ctx, group);
        }
        boolean encodes = f.calls.stream().anyMatch(c -> c.callee().endsWith(".toString") && "hex".equals(c.firstLiteral())
                || c.callee().equals("Buffer.from")) || f.source.contains("toString('hex')") || f.source.contains("toString(\"hex\")");
        for (Call c : f.calls) {
            if (JS_DNS.contains(c.callee()) && c.firstLiteral() == null && encodes && ctx == Context.INSTALL) {
                CodeRules.add(out, f, c.line(), "dns_exfiltration", "high", "Install-time code encodes data into the labels of a DNS"
                        + " lookup (" + c.callee() + "), a channel that passes firewalls.", Role.STRONG_THREAT, ctx, group);
                break;
            }
        }
    }

    private static void mcp(SourceFacts f, Context ctx, String group, List<Hit> out, boolean py) {
        boolean isMcp = f.imports.keySet().stream().anyMatch(i -> MCP_IMPORT.matcher(i).matches()) || f.names.contains("FastMCP");
        if (!isMcp) {
            return;
        }
        for (Call c : f.calls) {
            boolean runsAny = isExec(c.callee(), py) && c.firstLiteral() == null
                    && (c.callee().equals("os.system") || c.callee().equals("os.popen") || SHELL_TRUE.matcher(f.snippet(c.line())).find()
                    || !py && (c.callee().endsWith(".exec") || c.callee().endsWith(".execSync")));
            if (runsAny) {
                // A tool an AI agent can call with any command line: one prompt injection runs anything on the host.
                CodeRules.add(out, f, c.line(), "mcp_command_runner", "high", "An MCP server hands a command line from its caller"
                        + " to a shell (" + c.callee() + ").", Role.VERDICT_SUSPICIOUS, ctx, group);
                return;
            }
        }
    }

    static boolean isNetwork(String callee, boolean py) {
        if (py) {
            return callee.startsWith("requests.") || callee.startsWith("urllib.request.") || callee.startsWith("urllib2.")
                    || callee.startsWith("httpx.") || callee.startsWith("socket.socket") || callee.startsWith("socket.create_connection")
                    || callee.startsWith("http.client.") || callee.startsWith("aiohttp.") || callee.startsWith("urllib3.")
                    || callee.startsWith("dns.resolver.") || callee.equals("socket.gethostbyname");
        }
        return callee.startsWith("http.") || callee.startsWith("https.") || callee.equals("fetch") || callee.startsWith("axios")
                || callee.startsWith("dns.") || callee.startsWith("net.");
    }

    static boolean isExec(String callee, boolean py) {
        if (py) {
            return callee.startsWith("subprocess.") && !callee.equals("subprocess.PIPE") || callee.equals("os.system")
                    || callee.equals("os.popen") || callee.startsWith("os.exec") || callee.startsWith("os.spawn");
        }
        return callee.startsWith("child_process.") || callee.equals("shelljs.exec");
    }

    /**
     * How many distinct cryptocurrency address formats the source's regular-expression literals spell
     * (an Ethereum hex class, bech32 "bc1", Tron "T[", legacy "[13]", Litecoin "[LM3]", a base58 class
     * with a 32/33 length): found with plain searches, since one pattern with a leading character
     * class tried every position of multi-megabyte bundles.
     */
    static int addressFormats(String source) {
        Set<String> formats = new HashSet<>();
        for (String literal : List.of("0x[a-fA-F0-9]{40}", "bc1", "T[1-9A-HJ-NP-Za-km-z]", "[13][a-km-zA-HJ-NP-Z1-9]", "[LM3]")) {
            if (source.contains(literal)) {
                formats.add(literal.substring(0, 3));
            }
        }
        for (String tail : List.of("]{32,", "]{33,")) {
            for (int i = source.indexOf(tail, 1); i > 0; i = source.indexOf(tail, i + 1)) {
                char c = source.charAt(i - 1);
                if (BASE58.indexOf(c) >= 0) {
                    formats.add(c + "]{");
                }
            }
        }
        return formats.size();
    }

    private static int lineOf(SourceFacts f, String suffix) {
        return f.strings.stream().filter(s -> s.value().endsWith(suffix)).mapToInt(Str::line).findFirst().orElse(1);
    }

    private static String clip(String s) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }
}
