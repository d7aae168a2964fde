package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.code.SourceFacts.Lang;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One file under the code rules: its facts, where it runs, and what the call pass learned about it
 * (network, programs, decoders, identity), so each rule family reads the same classification
 * instead of recomputing it. Findings go to {@link #add}, which keeps one per rule and line.
 */
final class FileScan {
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
    /** Decoders that turn text into hidden text (not decompression or buffers, which every installer uses). */
    static final Pattern TEXT_DECODER = Pattern.compile(
            "(?:^|\\.)(?:b64decode|b32decode|a85decode|b85decode|unhexlify|a2b_base64|fromhex|atob|fromCharCode|decrypt|Fernet)$|^marshal\\.loads$");

    final SourceFacts f;
    final Context ctx;
    final String group;
    final List<Hit> out;
    final boolean py;
    private final Set<String> importRoots = new HashSet<>();
    /** Some call decodes text into hidden text somewhere in the file. */
    final boolean hasDecoder;
    /** Set by the call pass: the file uses the network / runs programs, and does so as it installs or loads. */
    boolean net;
    boolean exec;
    boolean netNow;
    boolean execNow;
    /** The whole environment is read (os.environ.items(), process.env passed whole). */
    boolean environWhole;
    /** Distinct identity sources: a display library resolving its own host name twice is not a fingerprint. */
    final Set<String> identity = new HashSet<>();

    FileScan(SourceFacts f, Context ctx, String group, List<Hit> out) {
        this.f = f;
        this.ctx = ctx;
        this.group = group;
        this.out = out;
        this.py = f.lang == Lang.PYTHON;
        for (String m : f.imports.keySet()) {
            String r = m.startsWith("node:") ? m.substring(5) : m;
            importRoots.add(r.contains(".") && py ? r.substring(0, r.indexOf('.')) : r);
            importRoots.add(r);
        }
        this.hasDecoder = f.calls.stream().anyMatch(c -> TEXT_DECODER.matcher(c.callee()).find());
    }

    /** Where a call runs: a call inside a function of an imported module runs only when called. */
    Context at(boolean moduleLevel) {
        return ctx == Context.IMPORT && !moduleLevel ? Context.RUNTIME : ctx;
    }

    boolean runsNow(Call c) {
        return ctx == Context.INSTALL || ctx == Context.IMPORT && c.moduleLevel();
    }

    boolean isNet(Call c) {
        String callee = c.callee();
        String root = root(callee);
        return py ? importRoots.contains(root) && PY_NET_CALL.matcher(callee).find()
                : (JS_NET.contains(root) && importRoots.contains(root)) || JS_NET_GLOBALS.contains(callee);
    }

    boolean isExec(Call c) {
        String callee = c.callee();
        return py ? callee.startsWith("subprocess.") && !callee.equals("subprocess.PIPE") || PY_EXEC.contains(callee)
                : root(callee).equals("child_process") && JS_EXEC.contains(callee.substring(callee.indexOf('.') + 1))
                || callee.equals("shelljs.exec");
    }

    static String root(String callee) {
        return callee.contains(".") ? callee.substring(0, callee.indexOf('.')) : callee;
    }

    void add(int line, String rule, String severity, String message, Role role, Context at) {
        add(out, f, line, rule, severity, message, role, at, group);
    }

    static void add(List<Hit> out, SourceFacts f, int line, String rule, String severity, String message, Role role,
                    Context ctx, String group) {
        String location = f.path + ":" + line;
        for (Hit h : out) {
            if (h.finding().rule().equals(rule) && location.equals(h.finding().location())) {
                return;
            }
        }
        out.add(new Hit(new Finding(rule, severity, "static", message, f.snippet(line), location), role, ctx, group));
    }

    static String where(Context ctx) {
        return switch (ctx) {
            case INSTALL -> " in install-time code";
            case IMPORT -> " as the module loads";
            default -> "";
        };
    }

    static String clip(String s) {
        String t = s.length() > 400 ? s.substring(0, 400) : s;
        t = t.replaceAll("\\s+", " ");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }
}
