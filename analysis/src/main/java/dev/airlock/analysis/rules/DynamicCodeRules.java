package dev.airlock.analysis.rules;

import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.code.SourceFacts.Call;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * exec/eval and friends: decoded or computed code being run, the builtins hidden under other
 * names, and character-level ciphers feeding them.
 */
final class DynamicCodeRules {
    private static final Set<String> PY_DYNAMIC = Set.of("exec", "eval", "compile", "builtins.exec", "builtins.eval");
    private static final Set<String> JS_DYNAMIC = Set.of("eval", "Function", "vm.runInThisContext", "vm.runInNewContext",
            "vm.runInContext", "vm.Script", "vm.compileFunction");
    private static final Pattern DECODER = Pattern.compile(
            "(?:^|\\.)(?:b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|decodestring|unhexlify|a2b_base64"
            + "|fromhex|decompress|decompressSync|inflateSync|gunzipSync|marshal\\.loads|chr|atob|fromCharCode|decrypt|Fernet|AESGCM)$"
            + "|^codecs\\.decode$|^Buffer\\.from$");
    private static final Pattern BUILTIN_NAME = Pattern.compile("^(?:exec|eval|compile|__import__|getattr)$");
    private static final Pattern LITERAL_LOADER = Pattern.compile("__import__\\(|b64decode|marshal\\.loads|zlib\\.decompress");
    private static final Pattern XOR_CIPHER = Pattern.compile("chr\\(\\s*ord\\([^()]*\\)\\s*\\^");
    /** {@code a = exec}: the builtin bound to a plain name, to be called under it later. */
    private static final Pattern EXEC_ALIAS = Pattern.compile("^\\s*(\\w+)\\s*=\\s*(?:builtins\\.)?(?:exec|eval)\\s*(?:#.*)?$");
    /** Several names bound at once to exec/eval and other builtins: the opening line of Hyperion-style obfuscators. */
    private static final Pattern TUPLE_ALIAS = Pattern.compile(
            "^\\s*\\w+(?:\\s*,\\s*\\w+)+\\s*=\\s*(?:\\w+\\s*,\\s*)*(?:exec|eval)\\s*(?:,|$)");

    /** What the whole file says before its calls are read one by one. */
    record Prelude(Set<String> execAliases, boolean cipher) {
    }

    private DynamicCodeRules() {
    }

    static Prelude prelude(FileScan s) {
        Set<String> aliases = new HashSet<>();
        if (!s.py) {
            return new Prelude(aliases, false);
        }
        for (SourceFacts.Ref r : s.f.refs) {
            if (r.name().equals("exec") || r.name().equals("eval")) {
                Matcher a = EXEC_ALIAS.matcher(s.f.snippet(r.line()));
                if (a.find()) {
                    aliases.add(a.group(1));
                }
            }
        }
        // chr(ord(a) ^ ord(b)): a character-level XOR cipher, which text processing has little use for next to exec
        // (tests that rebuild objects with chr(ord(c) + n) and eval their repr are common and harmless).
        boolean cipher = s.f.calls.stream().anyMatch(c -> c.callee().equals("chr") && c.argCallees().contains("ord")
                && XOR_CIPHER.matcher(s.f.snippet(c.line())).find());
        return new Prelude(aliases, cipher);
    }

    /** obfuscated_code_execution, dynamic_code_execution. */
    static void call(FileScan s, Prelude p, Call c) {
        String callee = c.callee();
        Context at = s.at(c.moduleLevel());
        String where = FileScan.where(at);
        boolean dynamic = s.py ? PY_DYNAMIC.contains(callee) : JS_DYNAMIC.contains(callee);
        if (dynamic) {
            boolean decoded = c.argCallees().stream().anyMatch(a -> DECODER.matcher(a).find());
            boolean readsFile = c.argCallees().stream().anyMatch(a -> a.equals("open") || a.endsWith(".read")
                    || a.endsWith("readFileSync") || a.endsWith(".read_text"));
            boolean indirect = s.hasDecoder && c.firstLiteral() == null && !readsFile
                    && (s.ctx == Context.INSTALL || s.py && at == Context.IMPORT);
            if (s.py && p.cipher() && c.firstLiteral() == null && !readsFile) {
                s.add(c.line(), "obfuscated_code_execution", "high", "Code decrypted character by character (chr(ord(...) ...)) is"
                        + " executed (" + callee + ")" + where + ".",
                        s.ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.VERDICT_SUSPICIOUS, at);
            }
            if (decoded || indirect) {
                s.add(c.line(), "obfuscated_code_execution", "high", "Encoded or computed code is decoded and executed (" + callee
                        + ")" + where + ".", Role.STRONG_THREAT, at);
            } else if (!readsFile && !(callee.equals("compile") && s.py) && !(callee.equals("Function") && !s.py)) {
                s.add(c.line(), "dynamic_code_execution", "low", "The code evaluates dynamically built code (" + callee + ")" + where
                        + ".", Role.CAPABILITY, at);
            }
            String literal = c.firstLiteral();
            if (literal != null && literal.length() < 200
                    && (BUILTIN_NAME.matcher(literal).matches() || LITERAL_LOADER.matcher(literal).find())) {
                s.add(c.line(), "obfuscated_code_execution", "high", "Literal code that itself evaluates or imports is fed to "
                        + callee + where + ".", Role.STRONG_THREAT, at);
            }
        }
        if (s.py && p.execAliases().contains(callee) && c.argCallees().stream().anyMatch(a -> DECODER.matcher(a).find())) {
            s.add(c.line(), "obfuscated_code_execution", "high", "exec/eval under another name (" + callee + ") runs decoded code"
                    + where + ".", Role.STRONG_THREAT, at);
        }
    }

    /** builtin_tuple_aliasing, builtin_aliasing, builtins_obfuscation: exec/eval handed around or looked up by name. */
    static void aliasing(FileScan s) {
        if (!s.py) {
            return;
        }
        for (SourceFacts.Ref r : s.f.refs) {
            Context at = s.at(r.moduleLevel());
            if ((r.name().equals("exec") || r.name().equals("eval")) && (r.next().equals(",") || r.next().equals("")
                    || r.next().equals(")"))) {
                if (r.moduleLevel() && TUPLE_ALIAS.matcher(s.f.snippet(r.line())).find()) {
                    s.add(r.line(), "builtin_tuple_aliasing", "high", "exec/eval is bound to innocent-looking names in one tuple"
                            + " assignment, the way code obfuscators hide it" + FileScan.where(at) + ".", Role.VERDICT_SUSPICIOUS, at);
                    return;
                }
                s.add(r.line(), "builtin_aliasing", "medium", "The builtin " + r.name() + " is passed around under another name"
                        + FileScan.where(at) + ".", Role.THREAT, at);
                return;
            }
            if (r.name().equals("__builtins__") && s.f.calls.stream().anyMatch(c -> c.callee().equals("getattr"))) {
                s.add(r.line(), "builtins_obfuscation", "high", "Builtins are looked up by computed names (getattr(__builtins__, ...))"
                        + FileScan.where(at) + ".", s.ctx == Context.INSTALL ? Role.STRONG_THREAT : Role.THREAT, at);
                return;
            }
        }
    }
}
