package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import dev.airlock.sandbox.BehaviorReport;
import java.util.Locale;
import java.util.Set;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Folds what the sandbox saw into hits with the same capability/threat weighting as the static rules.
 * What the install and import phases show happens to every user who installs the package, so a step
 * outside the registries there is decisive. The execute phase calls exported functions blindly, which
 * is how code that hides behind a call is seen, but also how an honest client reaches its service:
 * there, only acts no library needs (handing a planted secret over, reading secrets and reaching out
 * together, a network shell, publishing, download-and-run) are decisive, the rest is weighed.
 */
public final class DynamicRules {
    private static final Pattern SUSPICIOUS_COMMAND = Pattern.compile(
            "^(?:.*/)?(curl|wget|nc|ncat|netcat|bash|sh|dash|zsh|powershell|pwsh|base64|chmod|whoami|id|uname|hostname|ifconfig|ip|crontab|ssh|scp|python3?|perl)$");
    private static final Set<String> EXPECTED_COMMANDS = Set.of("node", "npm", "pip", "pip3", "gcc", "cc", "c++", "g++",
            "make", "node-gyp", "ld", "as", "cc1", "cc1plus", "collect2", "git", "uname", "sh");

    /** The installer's own machinery: pip's build-backend subprocess and setuptools' commands, not the package's doing. */
    private static final Pattern INSTALLER_COMMAND = Pattern.compile(
            "(?:_in_process\\.py|pyproject_hooks|pep517|\\bpip\\b.*\\b(?:install|wheel|download)\\b|-m\\s+pip\\b"
            + "|setup\\.py['\"]?\\s+(?:-q\\s+)?(?:egg_info|bdist_wheel|build|build_ext|install|develop|dist_info|sdist)\\b"
            + "|import setuptools|__import__\\(['\"]setuptools|-c\\s+import\\s+sys|\\bnode-gyp\\b|\\bprebuild-install\\b|\\bnode-pre-gyp\\b)");
    /** Hosts prebuilt native binaries are fetched from; a lookup there during install is expected of native packages. */
    private static final Pattern BINARY_HOST = Pattern.compile(
            "(?i)(?:^|\\.)(?:github\\.com|githubusercontent\\.com|amazonaws\\.com|cloudfront\\.net|googleapis\\.com|nodejs\\.org"
            + "|npmmirror\\.com|sourceforge\\.net|azureedge\\.net|blob\\.core\\.windows\\.net|chromium\\.org)\\.?$");
    /** Installer configuration every client reads for its own auth; anything else under a home directory is a secret. */
    private static final Pattern INSTALLER_CONFIG = Pattern.compile("(?:^|/)\\.(?:npmrc|netrc|pypirc|gitconfig)$|/etc/passwd$");
    private static final Pattern SHELL = Pattern.compile("^(?:ba|z|da|k|c|tc)?sh$|^(?:powershell|pwsh|cmd)(?:\\.exe)?$");
    private static final Pattern SANDBOX_ADDRESS = Pattern.compile("\\b198\\.1[89]\\.\\d{1,3}\\.\\d{1,3}\\b");
    private static final Pattern INTERACTIVE_SHELL = Pattern.compile("^(?:ba|z|da)?sh\\s+-i\\b|/dev/tcp/|\\bnpm\\s+publish\\b|\\btwine\\s+upload\\b");

    private DynamicRules() {
    }

    public static void fold(BehaviorReport report, Set<String> registryHosts, List<Hit> out) {
        fold(report, null, registryHosts, out);
    }

    /**
     * As above, against the behaviour of the package's previous allowed version: what that version
     * also did in the sandbox (the same rule in the same phase on the same host, path or command) is
     * the package's habit, kept as information instead of decisive. Anything new stays decisive.
     */
    public static void fold(BehaviorReport report, PreviousVersion previous, Set<String> registryHosts, List<Hit> out) {
        if (report == null) {
            return;
        }
        List<Hit> seen = new java.util.ArrayList<>();
        foldPhases(report, registryHosts, seen);
        Set<String> habits = new java.util.HashSet<>();
        if (previous != null && previous.behavior() != null) {
            List<Hit> before = new java.util.ArrayList<>();
            foldPhases(previous.behavior(), registryHosts, before);
            before.forEach(h -> habits.add(habitKey(h)));
        }
        for (Hit h : seen) {
            if (h.role() == Role.VERDICT_MALICIOUS && habits.contains(habitKey(h))) {
                Finding f = h.finding();
                out.add(new Hit(new Finding(f.rule(), "low", f.source(), f.message() + " The previous allowed version ("
                        + previous.version() + ") did the same in the sandbox.", f.evidence(), f.location()), Role.INFO,
                        h.context(), h.group()));
            } else {
                out.add(h);
            }
        }
    }

    /** The sandbox hands out addresses from 198.18.0.0/15 in lookup order; the name and port are what a habit is. */
    private static String habitKey(Hit h) {
        return h.finding().rule() + "|" + h.context() + "|" + SANDBOX_ADDRESS.matcher(h.finding().evidence()).replaceAll("*");
    }

    private static void foldPhases(BehaviorReport report, Set<String> registryHosts, List<Hit> out) {
        for (BehaviorReport.Phase p : report.phases()) {
            Context ctx = switch (p.phase()) {
                case "install" -> Context.INSTALL;
                case "execute" -> Context.RUNTIME;
                default -> Context.IMPORT;
            };
            boolean called = ctx == Context.RUNTIME;
            String where = p.phase() + " phase";
            int before = out.size();
            if (!"completed".equals(p.status()) && !called) {
                // A phase that ran out its deadline, memory or broke the sandbox hid the rest of its
                // behaviour (an endless loop is also how some payloads wait out analysers): a person looks.
                out.add(hit("sandbox_" + p.status(), "medium", "The " + where + " did not finish in the sandbox ("
                        + p.status() + "), so its behaviour was not fully observed.",
                        p.status() + " after " + p.durationMs() + " ms", Role.VERDICT_SUSPICIOUS, ctx));
            }
            for (BehaviorReport.BaitAccess b : p.baits()) {
                boolean weighed = called && !"sent".equals(b.how());
                out.add(hit("honeytoken_access", "critical", "The package touched a planted credential (" + b.bait() + ") during the "
                        + where + ".", b.how() + " " + b.path(), weighed ? Role.THREAT : Role.VERDICT_MALICIOUS, ctx));
            }
            for (BehaviorReport.DnsQuery q : p.dns()) {
                if (!allowed(q.hostname(), registryHosts)) {
                    // Reaching out during install or import is what a beacon, a stealer or a dropper does first; only a
                    // lookup of a binary-distribution host (prebuilt native modules) is left to weigh with other evidence.
                    boolean binaryHost = BINARY_HOST.matcher(q.hostname()).find();
                    out.add(hit("unexpected_dns", "high", "The package looked up a name outside the registries during the " + where + ".",
                            q.hostname(), binaryHost || called ? Role.THREAT : Role.VERDICT_MALICIOUS, ctx));
                }
            }
            for (BehaviorReport.NetworkAttempt n : p.network()) {
                if (n.hostname() == null || !allowed(n.hostname(), registryHosts)) {
                    boolean binaryHost = n.hostname() != null && BINARY_HOST.matcher(n.hostname()).find();
                    out.add(hit("unexpected_connection", "high", "The package connected outside the registries during the " + where + ".",
                            n.address() + ":" + n.port() + (n.hostname() == null ? "" : " (" + n.hostname() + ")"),
                            binaryHost || called ? Role.THREAT : Role.VERDICT_MALICIOUS, ctx));
                }
            }
            for (BehaviorReport.FileAccess f : p.files()) {
                Matcher strong = CodeRules.CREDENTIAL_STRONG.matcher(f.path());
                Matcher weak = CodeRules.CREDENTIAL.matcher(f.path());
                if (f.read() && (strong.find() || weak.find())) {
                    boolean installerConfig = INSTALLER_CONFIG.matcher(f.path()).find();
                    out.add(hit("credential_read", "high", "The package read a credential file during the " + where + ".",
                            f.path(), installerConfig || called ? Role.THREAT : Role.VERDICT_MALICIOUS, ctx));
                }
                if (f.write() && CodeRules.PERSISTENCE.matcher(f.path()).find()) {
                    // A blindly called function may be an honest "install shell completion": a person looks.
                    out.add(hit("persistence_write", "critical", "The package wrote a file that runs at logon, on a schedule or in CI"
                            + " during the " + where + ".", f.path(), called ? Role.VERDICT_SUSPICIOUS : Role.VERDICT_MALICIOUS, ctx));
                }
            }
            boolean outside = out.stream().anyMatch(h -> h.group().equals("dynamic") && h.context() == ctx
                    && (h.finding().rule().equals("unexpected_dns") || h.finding().rule().equals("unexpected_connection")));
            boolean creds = out.stream().anyMatch(h -> h.group().equals("dynamic") && h.context() == ctx
                    && h.finding().rule().equals("credential_read"));
            if (outside && creds) {
                out.add(hit("credential_exfiltration_attempt", "critical", "The package read credentials and reached outside the "
                        + "registries in the same " + where + ".", "see credential_read and unexpected_connection",
                        Role.VERDICT_MALICIOUS, ctx));
            }
            Set<String> written = new java.util.HashSet<>();
            p.files().stream().filter(BehaviorReport.FileAccess::write).forEach(f -> written.add(f.path()));
            for (BehaviorReport.Command c : p.commands()) {
                if (c.argv().isEmpty()) {
                    continue;
                }
                String argvLine = String.join(" ", c.argv());
                if (INSTALLER_COMMAND.matcher(argvLine).find()) {
                    continue;
                }
                if (written.contains(c.argv().get(0)) && !c.argv().get(0).contains("/node_modules/")
                        && !c.argv().get(0).contains("/build/")) {
                    out.add(hit("ran_downloaded_code", "critical", "The package wrote a program and ran it during the " + where + ".",
                            argvLine, called ? Role.VERDICT_SUSPICIOUS : Role.VERDICT_MALICIOUS, ctx));
                }
                if (INTERACTIVE_SHELL.matcher(argvLine).find()) {
                    out.add(hit("shell_or_publish", "critical", "The package opened an interactive or network shell, or published"
                            + " packages, during the " + where + ".", argvLine, Role.VERDICT_MALICIOUS, ctx));
                }
                String exe = c.argv().get(0);
                String base = exe.substring(exe.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
                if (ctx == Context.IMPORT && SHELL.matcher(base).matches()) {
                    // Install scripts run under npm's sh; a module that starts a shell the moment it is imported has no such excuse.
                    out.add(hit("shell_spawned", "high", "The package started a shell as it was imported (" + base + ").",
                            argvLine, Role.VERDICT_MALICIOUS, ctx));
                }
                if (SUSPICIOUS_COMMAND.matcher(base).matches() && !EXPECTED_COMMANDS.contains(base) && !called) {
                    out.add(hit("unexpected_command", "medium", "The package ran '" + base + "' during the " + where + ".",
                            String.join(" ", c.argv()), Role.CAPABILITY, ctx));
                }
                String line = String.join(" ", c.argv());
                if (CodeRules.SHELL_DROPPER.matcher(line).find()) {
                    out.add(hit("download_and_execute", "critical", "A command downloaded and ran code during the " + where + ".",
                            line, Role.VERDICT_MALICIOUS, ctx));
                }
            }
            if (called) {
                dropRepeatsOfImport(out, before);
            }
        }
    }

    /**
     * The execute phase imports the modules again before calling anything, so what importing does shows
     * twice; it stays the import phase's finding only.
     */
    private static void dropRepeatsOfImport(List<Hit> out, int from) {
        Set<String> imported = new java.util.HashSet<>();
        out.subList(0, from).stream().filter(h -> h.context() == Context.IMPORT)
                .forEach(h -> imported.add(h.finding().rule() + "|" + SANDBOX_ADDRESS.matcher(h.finding().evidence()).replaceAll("*")));
        out.subList(from, out.size()).removeIf(h -> imported.contains(h.finding().rule() + "|"
                + SANDBOX_ADDRESS.matcher(h.finding().evidence()).replaceAll("*")));
    }

    private static boolean allowed(String host, Set<String> registryHosts) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String r : registryHosts) {
            if (h.equals(r) || h.endsWith("." + r)) {
                return true;
            }
        }
        return h.equals("localhost");
    }

    private static Hit hit(String rule, String severity, String message, String evidence, Role role, Context ctx) {
        String e = evidence.length() > 200 ? evidence.substring(0, 197) + "..." : evidence;
        return new Hit(new Finding(rule, severity, "dynamic", message, e, null), role, ctx, "dynamic");
    }
}
