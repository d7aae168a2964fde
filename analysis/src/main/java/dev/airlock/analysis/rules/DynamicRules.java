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

/** Folds what the sandbox saw into hits with the same capability/threat weighting as the static rules. */
public final class DynamicRules {
    private static final Pattern SUSPICIOUS_COMMAND = Pattern.compile(
            "^(?:.*/)?(curl|wget|nc|ncat|netcat|bash|sh|dash|zsh|powershell|pwsh|base64|chmod|whoami|id|uname|hostname|ifconfig|ip|crontab|ssh|scp|python3?|perl)$");
    private static final Set<String> EXPECTED_COMMANDS = Set.of("node", "npm", "pip", "pip3", "gcc", "cc", "c++", "g++",
            "make", "node-gyp", "ld", "as", "cc1", "cc1plus", "collect2", "git", "uname", "sh");

    private DynamicRules() {
    }

    public static void fold(BehaviorReport report, Set<String> registryHosts, List<Hit> out) {
        if (report == null) {
            return;
        }
        for (BehaviorReport.Phase p : report.phases()) {
            Context ctx = "install".equals(p.phase()) ? Context.INSTALL : Context.IMPORT;
            String where = p.phase() + " phase";
            if (!"completed".equals(p.status())) {
                // A phase that ran out its deadline, memory or broke the sandbox hid the rest of its
                // behaviour (an endless loop is also how some payloads wait out analysers): a person looks.
                out.add(hit("sandbox_" + p.status(), "medium", "The " + where + " did not finish in the sandbox ("
                        + p.status() + "), so its behaviour was not fully observed.",
                        p.status() + " after " + p.durationMs() + " ms", Role.VERDICT_SUSPICIOUS, ctx));
            }
            for (BehaviorReport.BaitAccess b : p.baits()) {
                out.add(hit("honeytoken_access", "critical", "The package touched a planted credential (" + b.bait() + ") during the "
                        + where + ".", b.how() + " " + b.path(), Role.VERDICT_MALICIOUS, ctx));
            }
            for (BehaviorReport.DnsQuery q : p.dns()) {
                if (!allowed(q.hostname(), registryHosts)) {
                    out.add(hit("unexpected_dns", "high", "The package looked up a name outside the registries during the " + where + ".",
                            q.hostname(), Role.THREAT, ctx));
                }
            }
            for (BehaviorReport.NetworkAttempt n : p.network()) {
                if (n.hostname() == null || !allowed(n.hostname(), registryHosts)) {
                    out.add(hit("unexpected_connection", "high", "The package connected outside the registries during the " + where + ".",
                            n.address() + ":" + n.port() + (n.hostname() == null ? "" : " (" + n.hostname() + ")"), Role.THREAT, ctx));
                }
            }
            for (BehaviorReport.FileAccess f : p.files()) {
                Matcher strong = CodeRules.CREDENTIAL_STRONG.matcher(f.path());
                Matcher weak = CodeRules.CREDENTIAL.matcher(f.path());
                if (f.read() && (strong.find() || weak.find())) {
                    out.add(hit("credential_read", "high", "The package read a credential file during the " + where + ".",
                            f.path(), Role.THREAT, ctx));
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
            for (BehaviorReport.Command c : p.commands()) {
                if (c.argv().isEmpty()) {
                    continue;
                }
                String exe = c.argv().get(0);
                String base = exe.substring(exe.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
                if (SUSPICIOUS_COMMAND.matcher(base).matches() && !EXPECTED_COMMANDS.contains(base)) {
                    out.add(hit("unexpected_command", "medium", "The package ran '" + base + "' during the " + where + ".",
                            String.join(" ", c.argv()), Role.CAPABILITY, ctx));
                }
                String line = String.join(" ", c.argv());
                if (CodeRules.SHELL_DROPPER.matcher(line).find()) {
                    out.add(hit("download_and_execute", "critical", "A command downloaded and ran code during the " + where + ".",
                            line, Role.STRONG_THREAT, ctx));
                }
            }
        }
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
