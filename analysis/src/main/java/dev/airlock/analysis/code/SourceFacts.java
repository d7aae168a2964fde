package dev.airlock.analysis.code;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one source file does, reduced to the facts the rules read: calls with canonical callee
 * names (aliases and {@code require}/{@code import} resolved), string literals, imports and
 * attribute references. Comments are gone by construction.
 */
public final class SourceFacts {
    public enum Lang { PYTHON, JAVASCRIPT }

    /**
     * @param callee       canonical dotted name, e.g. {@code subprocess.Popen}, {@code child_process.exec}, {@code eval}
     * @param moduleLevel  true when the call runs as the file loads (not inside a function)
     * @param firstLiteral the first argument when it is a string literal, else null
     * @param argCallees   callees of calls nested in the arguments (to spot {@code exec(b64decode(...))})
     */
    public record Call(String callee, int line, boolean moduleLevel, String firstLiteral, Set<String> argCallees) {
    }

    public record Str(String value, int line) {
    }

    /** A dotted attribute read that is not a call, e.g. {@code os.environ} or {@code process.env}, with what follows. */
    public record Ref(String name, int line, boolean moduleLevel, String next) {
    }

    public final String path;
    public final Lang lang;
    public final List<Call> calls = new ArrayList<>();
    public final List<Str> strings = new ArrayList<>();
    public final Map<String, Integer> imports = new LinkedHashMap<>();
    public final List<Ref> refs = new ArrayList<>();
    public final Set<String> names = new LinkedHashSet<>();
    public final String source;
    public boolean parsedByAst;

    public SourceFacts(String path, Lang lang, String source) {
        this.path = path;
        this.lang = lang;
        this.source = source;
    }

    /** The trimmed source line, cut short, for evidence. */
    public String snippet(int line) {
        int start = 0;
        for (int i = 1; i < line && start >= 0; i++) {
            start = source.indexOf('\n', start);
            if (start >= 0) {
                start++;
            }
        }
        if (start < 0) {
            return "";
        }
        int end = source.indexOf('\n', start);
        String s = source.substring(start, end < 0 ? source.length() : end).trim();
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }
}
