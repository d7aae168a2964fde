package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Running other programs: the capability, decoded command lines, and what a literal command line
 * says (identity probes, pip installs behind pip's back, network tools at install time).
 */
final class ProcessRules {
    private static final Pattern IDENTITY_COMMAND = Pattern.compile(
            "(?i)^\\s*(whoami|hostname|uname|id|ifconfig|ipconfig|systeminfo|net user|pwd)\\b");
    private static final Pattern PIP_INSTALL_COMMAND = Pattern.compile("(?i)^\\s*(?:\\S*python\\S*\\s+-m\\s+)?pip3?\\s+install\\b");
    private static final Pattern NETWORK_COMMAND = Pattern.compile("(?i)^\\s*(?:dig|nslookup|host|curl|wget|nc|ncat|ping|telnet)\\s");

    private ProcessRules() {
    }

    /** process_execution, obfuscated_command, hidden_package_install, install_time_beacon; literal command lines. */
    static void call(FileScan s, Call c) {
        if (!s.isExec(c)) {
            return;
        }
        String callee = c.callee();
        Context at = s.at(c.moduleLevel());
        if (s.runsNow(c)) {
            s.execNow = true;
        }
        // The file-wide route is Python only: JavaScript installers parse tar headers with fromCharCode.
        boolean decodedArg = c.argCallees().stream().anyMatch(a -> FileScan.TEXT_DECODER.matcher(a).find())
                || s.py && s.hasDecoder && c.firstLiteral() == null && s.ctx == Context.INSTALL;
        if (decodedArg) {
            s.add(c.line(), "obfuscated_command", "high", "A decoded string is run as a command (" + callee + ")"
                    + FileScan.where(at) + ".", Role.STRONG_THREAT, at);
        }
        if (!s.exec) {
            s.exec = true;
            s.add(c.line(), "process_execution", at == Context.INSTALL ? "medium" : "low",
                    "The code runs other programs (" + callee + ")" + FileScan.where(at) + ".", Role.CAPABILITY, at);
        }
        String command = c.firstLiteral();
        if (command == null) {
            return;
        }
        LiteralRules.scan(s.f, command, c.line(), at, s.group, s.out, 0);
        Matcher idc = IDENTITY_COMMAND.matcher(command);
        if (idc.find()) {
            s.identity.add(idc.group(1).toLowerCase(Locale.ROOT));
        }
        if (s.ctx == Context.INSTALL && PIP_INSTALL_COMMAND.matcher(command).find()) {
            s.add(c.line(), "hidden_package_install", "high", "Install-time code installs further packages behind pip's back ("
                    + FileScan.clip(command) + ").", Role.STRONG_THREAT, at);
        }
        if (s.ctx == Context.INSTALL && NETWORK_COMMAND.matcher(command).find()) {
            s.add(c.line(), "install_time_beacon", "high", "Install-time code runs a network tool (" + FileScan.clip(command) + ").",
                    Role.THREAT, at);
        }
    }

    /** hidden_package_install: setup code calling pip's internals. */
    static void pipInternals(FileScan s, Call c) {
        String callee = c.callee();
        if (s.py && s.ctx == Context.INSTALL && (callee.equals("pip.main") || callee.startsWith("pip._internal"))) {
            s.add(c.line(), "hidden_package_install", "high", "Install-time code installs further packages behind pip's back ("
                    + callee + ").", Role.STRONG_THREAT, s.ctx);
        }
    }
}
