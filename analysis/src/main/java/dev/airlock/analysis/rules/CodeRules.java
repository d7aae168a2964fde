package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.code.SourceFacts.Lang;
import dev.airlock.analysis.code.SourceFacts.Str;
import dev.airlock.analysis.rules.Hit.Context;
import java.util.List;

/**
 * The code rules over one source file, family by family. Each family is a small class named for
 * what it looks for; the steps below are the whole table, in the order they run:
 *
 * <pre>
 *  per call   NetworkRules.call         network_access, hidden_network_destination, embedded_exfiltration_credential
 *             ProcessRules.call         process_execution, obfuscated_command, hidden_package_install, install_time_beacon
 *             DynamicCodeRules.call     obfuscated_code_execution, dynamic_code_execution
 *             ProcessRules.pipInternals hidden_package_install
 *             HarvestRules.call         (identity sources, whole-environment reads)
 *  per file   HarvestRules.environment        environment_harvest
 *             DynamicCodeRules.aliasing       builtin_tuple_aliasing, builtin_aliasing, builtins_obfuscation
 *             ObfuscationRules.underscoreNames obfuscator_identifiers
 *             NetworkRules.installDownload    install_time_download
 *             HarvestRules.installEnvironment environment_harvest
 *             DropperRules.embeddedCode       embedded_code_dropper
 *             DropperRules.executableByName   download_and_execute
 *             NetworkRules.encodedAddress     hidden_network_destination
 *             HarvestRules.identity           install_identity_collection, host_fingerprinting
 *             LiteralRules.strings            exfiltration_endpoint, embedded_exfiltration_credential, raw_ip_endpoint,
 *                                             credential_store_access, credential_file_access, persistence,
 *                                             dynamic_dns_host, download_and_execute, encoded_payload
 *             DropperRules.executableByUrl    download_and_execute
 *             ObfuscationRules.hexNames       obfuscator_identifiers
 *             ShapeRules.scan                 import_hook_exec, identity_beacon, reverse_shell, mcp_command_runner, ...
 * </pre>
 *
 * The first finding of a rule at a location wins, so the order above decides which message is kept.
 */
public final class CodeRules {
    /** Shared with the sandbox's rules, which read file paths and command lines with the same patterns. */
    static final java.util.regex.Pattern SHELL_DROPPER = LiteralRules.SHELL_DROPPER;
    static final java.util.regex.Pattern PERSISTENCE = LiteralRules.PERSISTENCE;
    static final java.util.regex.Pattern CREDENTIAL = LiteralRules.CREDENTIAL;
    static final java.util.regex.Pattern CREDENTIAL_STRONG = LiteralRules.CREDENTIAL_STRONG;

    private CodeRules() {
    }

    public static void scan(SourceFacts f, Context ctx, String group, List<Hit> out) {
        FileScan s = new FileScan(f, ctx, group, out);
        DynamicCodeRules.Prelude prelude = DynamicCodeRules.prelude(s);
        for (Call c : f.calls) {
            NetworkRules.call(s, c);
            ProcessRules.call(s, c);
            DynamicCodeRules.call(s, prelude, c);
            ProcessRules.pipInternals(s, c);
            HarvestRules.call(s, c);
        }
        HarvestRules.environment(s);
        DynamicCodeRules.aliasing(s);
        ObfuscationRules.underscoreNames(s);
        NetworkRules.installDownload(s);
        HarvestRules.installEnvironment(s);
        DropperRules.embeddedCode(s);
        DropperRules.executableByName(s);
        NetworkRules.encodedAddress(s);
        HarvestRules.identity(s);
        LiteralRules.strings(s);
        DropperRules.executableByUrl(s);
        ObfuscationRules.hexNames(s);
        ShapeRules.scan(f, ctx, group, out);
    }

    /** String-level threats of one literal (install scripts, command lines). */
    static void literalThreats(SourceFacts f, String value, int line, Context ctx, String group, List<Hit> out, int depth) {
        LiteralRules.scan(f, value, line, ctx, group, out, depth);
    }

    static void add(List<Hit> out, SourceFacts f, int line, String rule, String severity, String message, Hit.Role role,
                    Context ctx, String group) {
        FileScan.add(out, f, line, rule, severity, message, role, ctx, group);
    }

    /** Shell command text as a pseudo source, so install scripts get the same string rules. */
    public static SourceFacts shellFacts(String path, String command) {
        SourceFacts f = new SourceFacts(path, Lang.JAVASCRIPT, command);
        f.strings.add(new Str(command, 1));
        return f;
    }
}
