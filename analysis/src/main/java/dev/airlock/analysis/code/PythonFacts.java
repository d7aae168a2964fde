package dev.airlock.analysis.code;

import dev.airlock.analysis.code.Token.Kind;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns Python tokens into {@link SourceFacts}, resolving {@code import ... as} and {@code from ... import}. */
public final class PythonFacts {
    private PythonFacts() {
    }

    public static SourceFacts extract(String path, String source) {
        SourceFacts f = new SourceFacts(path, SourceFacts.Lang.PYTHON, source);
        List<Token> t = PythonTokenizer.tokenize(source);
        int[] closeAt = closers(t);
        f.parsedByAst = true;
        Map<String, String> alias = new HashMap<>();
        Deque<Integer> defLevels = new ArrayDeque<>();
        Deque<String> defNames = new ArrayDeque<>();
        String pendingName = null;
        List<String> enclosing = new java.util.ArrayList<>();
        int indent = 0;
        int pendingDef = -1;
        boolean afterDefNewline = false;
        boolean stmtStart = true;
        for (int i = 0; i < t.size(); i++) {
            Token k = t.get(i);
            switch (k.kind()) {
                case INDENT -> {
                    if (afterDefNewline && pendingDef == indent) {
                        defLevels.push(indent + 1);
                        defNames.push(pendingName == null ? "" : pendingName);
                    }
                    indent++;
                    afterDefNewline = false;
                    pendingDef = -1;
                    continue;
                }
                case DEDENT -> {
                    indent--;
                    while (!defLevels.isEmpty() && defLevels.peek() > indent) {
                        defLevels.pop();
                        defNames.pop();
                    }
                    continue;
                }
                case NEWLINE -> {
                    afterDefNewline = pendingDef >= 0;
                    if (!afterDefNewline) {
                        pendingDef = -1;
                    }
                    stmtStart = true;
                    continue;
                }
                default -> {
                    if (afterDefNewline) {
                        afterDefNewline = false;
                        pendingDef = -1;
                    }
                }
            }
            boolean moduleLevel = defLevels.isEmpty();
            boolean wasStmtStart = stmtStart;
            stmtStart = k.isOp(";") || k.isOp(":") && i + 1 < t.size() && t.get(i + 1).kind() == Kind.NAME;
            if (k.kind() == Kind.STRING) {
                int next = i + 1;
                while (next < t.size() && t.get(next).kind() == Kind.STRING) {
                    next++;
                }
                boolean docstring = wasStmtStart && (next >= t.size() || t.get(next).kind() == Kind.NEWLINE);
                // A bare string statement (a docstring) is never used by the program; its words are documentation.
                if (!docstring) {
                    f.strings.add(new SourceFacts.Str(k.text(), k.line()));
                }
                continue;
            }
            if (k.kind() != Kind.NAME) {
                continue;
            }
            if (k.text().equals("def") || k.text().equals("async") && i + 1 < t.size() && t.get(i + 1).text().equals("def")) {
                if (k.text().equals("def")) {
                    pendingDef = indent;
                    pendingName = i + 1 < t.size() ? t.get(i + 1).text() : null;
                    i++;
                }
                continue;
            }
            if (wasStmtStart && k.text().equals("if") && defLevels.isEmpty() && i + 4 < t.size()
                    && t.get(i + 1).text().equals("__name__") && t.get(i + 2).isOp("==") && "__main__".equals(t.get(i + 3).text())) {
                // The script block of a module does not run when the module is imported.
                pendingDef = indent;
                pendingName = null;
                continue;
            }
            if (k.text().equals("class")) {
                i++;
                continue;
            }
            if (wasStmtStart && k.text().equals("import")) {
                i = importStmt(t, i + 1, f, alias, false, null);
                continue;
            }
            if (wasStmtStart && k.text().equals("from")) {
                StringBuilder mod = new StringBuilder();
                int j = i + 1;
                while (j < t.size() && (t.get(j).kind() == Kind.NAME || t.get(j).isOp(".")) && !t.get(j).text().equals("import")) {
                    mod.append(t.get(j).text());
                    j++;
                }
                if (j < t.size() && t.get(j).text().equals("import")) {
                    f.imports.putIfAbsent(mod.toString(), k.line());
                    i = importStmt(t, j + 1, f, alias, true, mod.toString());
                }
                continue;
            }
            if (i > 0 && t.get(i - 1).isOp(".")) {
                continue;
            }
            f.names.add(k.text());
            StringBuilder dotted = new StringBuilder(alias.getOrDefault(k.text(), k.text()));
            int j = i + 1;
            while (j + 1 < t.size() && t.get(j).isOp(".") && t.get(j + 1).kind() == Kind.NAME) {
                dotted.append('.').append(t.get(j + 1).text());
                j += 2;
            }
            String name = dotted.toString();
            if (j < t.size() && t.get(j).isOp("(")) {
                int close = closeAt[j];
                String first = j + 1 < t.size() && t.get(j + 1).kind() == Kind.STRING
                        && j + 2 < t.size() && (t.get(j + 2).isOp(",") || t.get(j + 2).isOp(")")) ? t.get(j + 1).text() : null;
                Set<String> inner = new LinkedHashSet<>();
                for (int a = j + 1; a < close; a++) {
                    Token x = t.get(a);
                    if (x.kind() == Kind.NAME && (x.text().equals("chr") || x.text().equals("ord"))) {
                        inner.add("chr");
                    }
                    if (x.kind() == Kind.NAME && a + 1 < close && !t.get(a - 1).isOp(".")) {
                        StringBuilder d = new StringBuilder(alias.getOrDefault(x.text(), x.text()));
                        int b = a + 1;
                        while (b + 1 < close && t.get(b).isOp(".") && t.get(b + 1).kind() == Kind.NAME) {
                            d.append('.').append(t.get(b + 1).text());
                            b += 2;
                        }
                        if (b < close && t.get(b).isOp("(")) {
                            inner.add(d.toString());
                        }
                    }
                }
                if (name.equals("__import__") && first != null && close + 2 < t.size() && t.get(close + 1).isOp(".")
                        && t.get(close + 2).kind() == Kind.NAME) {
                    f.imports.putIfAbsent(first, k.line());
                    String attr = first + "." + t.get(close + 2).text();
                    f.calls.add(new SourceFacts.Call(name, k.line(), moduleLevel, first, inner));
                    if (close + 3 < t.size() && t.get(close + 3).isOp("(")) {
                        int c2 = closeAt[close + 3];
                        String lit = close + 4 < t.size() && t.get(close + 4).kind() == Kind.STRING ? t.get(close + 4).text() : null;
                        f.calls.add(new SourceFacts.Call(attr, k.line(), moduleLevel, lit, Set.of()));
                        i = close + 2;
                        continue;
                    }
                }
                f.calls.add(new SourceFacts.Call(name, k.line(), moduleLevel, first, inner));
                while (enclosing.size() < f.calls.size()) {
                    // Only a function defined at the top of the module can be what a bare module-level call runs.
                    enclosing.add(defNames.isEmpty() || defLevels.peekLast() != 1 ? null : defNames.peekLast());
                }
                i = j - 1 >= i ? j - 1 : i;
            } else {
                if (name.indexOf('.') > 0 || name.equals("exec") || name.equals("eval") || name.equals("compile")
                        || name.equals("__import__") || name.equals("__builtins__")) {
                    String next = j < t.size() ? t.get(j).text() : "";
                    f.refs.add(new SourceFacts.Ref(name, k.line(), moduleLevel, next));
                }
                i = j - 1;
            }
        }
        while (enclosing.size() < f.calls.size()) {
            enclosing.add(null);
        }
        // A function defined here and called at module level runs on import too (one level deep).
        java.util.Set<String> calledAtLoad = new java.util.HashSet<>();
        for (SourceFacts.Call c : f.calls) {
            if (c.moduleLevel() && c.callee().indexOf('.') < 0) {
                calledAtLoad.add(c.callee());
            }
        }
        for (int c = 0; c < f.calls.size(); c++) {
            SourceFacts.Call call = f.calls.get(c);
            if (!call.moduleLevel() && enclosing.get(c) != null && calledAtLoad.contains(enclosing.get(c))) {
                f.calls.set(c, new SourceFacts.Call(call.callee(), call.line(), true, call.firstLiteral(), call.argCallees()));
            }
        }
        return f;
    }

    private static int importStmt(List<Token> t, int i, SourceFacts f, Map<String, String> alias, boolean from, String module) {
        int j = i;
        boolean paren = j < t.size() && t.get(j).isOp("(");
        if (paren) {
            j++;
        }
        while (j < t.size() && t.get(j).kind() != Kind.NEWLINE && !t.get(j).isOp(";")) {
            if (t.get(j).isOp(")")) {
                j++;
                break;
            }
            StringBuilder name = new StringBuilder();
            int line = t.get(j).line();
            while (j < t.size() && (t.get(j).kind() == Kind.NAME && !t.get(j).text().equals("as") || t.get(j).isOp("."))) {
                name.append(t.get(j).text());
                j++;
            }
            String as = null;
            if (j + 1 < t.size() && t.get(j).text().equals("as")) {
                as = t.get(j + 1).text();
                j += 2;
            }
            if (name.length() > 0) {
                String n = name.toString();
                if (from) {
                    alias.put(as != null ? as : n, module + "." + n);
                } else {
                    f.imports.putIfAbsent(n, line);
                    if (as != null) {
                        alias.put(as, n);
                    }
                }
            }
            if (j < t.size() && t.get(j).isOp(",")) {
                j++;
            } else if (j < t.size() && !t.get(j).isOp(")") && !t.get(j).isOp(";") && t.get(j).kind() != Kind.NEWLINE) {
                j++;
            }
        }
        return j - 1;
    }

    /**
     * For every opening bracket token, the index of the token that closes it ({@code t.size()} when
     * none does), found in one pass: looking it up per call made nested calls in bundles quadratic.
     */
    static int[] closers(List<Token> t) {
        int[] close = new int[t.size()];
        int[] stack = new int[Math.max(16, t.size() / 4 + 1)];
        int depth = 0;
        for (int i = 0; i < t.size(); i++) {
            String s = t.get(i).kind() == Kind.OP ? t.get(i).text() : "";
            if (s.equals("(") || s.equals("[") || s.equals("{")) {
                if (depth == stack.length) {
                    stack = java.util.Arrays.copyOf(stack, depth * 2);
                }
                stack[depth++] = i;
                close[i] = t.size();
            } else if ((s.equals(")") || s.equals("]") || s.equals("}")) && depth > 0) {
                close[stack[--depth]] = i;
            }
        }
        return close;
    }
}
