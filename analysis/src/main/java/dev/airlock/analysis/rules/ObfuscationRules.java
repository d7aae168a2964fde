package dev.airlock.analysis.rules;

import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.regex.Pattern;

/** Identifier shapes that obfuscators leave behind. */
final class ObfuscationRules {
    private static final Pattern UNDERSCORE_NAME = Pattern.compile("^_{4,}$");
    private static final Pattern OBFUSCATOR_NAME = Pattern.compile("^_0x[0-9a-f]{4,6}$");

    private ObfuscationRules() {
    }

    /** obfuscator_identifiers (Python): five or more names made only of underscores, next to decoders. */
    static void underscoreNames(FileScan s) {
        if (!s.py) {
            return;
        }
        long n = s.f.names.stream().filter(x -> UNDERSCORE_NAME.matcher(x).matches()).count();
        if (n >= 5 && s.hasDecoder) {
            s.add(1, "obfuscator_identifiers", "medium", n + " identifiers made only of underscores, next to decoding calls"
                    + FileScan.where(s.ctx) + ".", s.ctx == Context.RUNTIME ? Role.THREAT : Role.STRONG_THREAT, s.ctx);
        }
    }

    /** obfuscator_identifiers (javascript-obfuscator): five or more _0x names. */
    static void hexNames(FileScan s) {
        long n = s.f.names.stream().filter(x -> OBFUSCATOR_NAME.matcher(x).matches()).count();
        if (n >= 5) {
            s.add(1, "obfuscator_identifiers", "medium", n + " identifiers follow the javascript-obfuscator pattern (_0x...)"
                    + FileScan.where(s.ctx) + ".", s.ctx == Context.INSTALL ? Role.THREAT : Role.INFO, s.ctx);
        }
    }
}
