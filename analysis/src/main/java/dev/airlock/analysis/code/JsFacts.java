package dev.airlock.analysis.code;

import dev.airlock.analysis.code.Token.Kind;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mozilla.javascript.CompilerEnvirons;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Parser;
import org.mozilla.javascript.ast.AstNode;
import org.mozilla.javascript.ast.AstRoot;
import org.mozilla.javascript.ast.ElementGet;
import org.mozilla.javascript.ast.ErrorCollector;
import org.mozilla.javascript.ast.FunctionCall;
import org.mozilla.javascript.ast.Name;
import org.mozilla.javascript.ast.ObjectLiteral;
import org.mozilla.javascript.ast.ObjectProperty;
import org.mozilla.javascript.ast.PropertyGet;
import org.mozilla.javascript.ast.StringLiteral;
import org.mozilla.javascript.ast.TemplateCharacters;
import org.mozilla.javascript.ast.VariableInitializer;

/**
 * JavaScript facts from Rhino's AST; files Rhino cannot parse (ES modules, very new syntax) fall
 * back to {@link JsLexer} tokens, which still separate code from comments and strings.
 */
public final class JsFacts {
    private static final int MAX_AST_CHARS = 2_000_000;
    private static final int MAX_ARGUMENT_TOKENS = 512;

    private JsFacts() {
    }

    public static SourceFacts extract(String path, String source) {
        SourceFacts f = new SourceFacts(path, SourceFacts.Lang.JAVASCRIPT, source);
        String src = source.startsWith("#!") ? "//" + source.substring(2) : source;
        if (src.length() <= MAX_AST_CHARS) {
            try {
                CompilerEnvirons env = new CompilerEnvirons();
                env.setLanguageVersion(Context.VERSION_ES6);
                env.setRecordingComments(false);
                env.setStrictMode(false);
                env.setErrorReporter(new ErrorCollector());
                env.setIdeMode(false);
                AstRoot root = new Parser(env).parse(src, path, 1);
                visit(root, f);
                f.parsedByAst = true;
                return f;
            } catch (RuntimeException | StackOverflowError e) {
                f.calls.clear();
                f.strings.clear();
                f.imports.clear();
                f.refs.clear();
                f.names.clear();
            }
        }
        lexed(src, f);
        return f;
    }

    private static void visit(AstRoot root, SourceFacts f) {
        Map<String, String> alias = new HashMap<>();
        root.visit(node -> {
            if (node instanceof VariableInitializer vi && vi.getInitializer() != null) {
                String target = nameOf(vi.getInitializer(), alias);
                if (target != null) {
                    if (vi.getTarget() instanceof Name n) {
                        alias.put(n.getIdentifier(), target);
                    } else if (vi.getTarget() instanceof ObjectLiteral ol) {
                        for (AstNode p : ol.getElements()) {
                            if (p instanceof ObjectProperty op && op.getKey() instanceof Name key) {
                                String local = op.getValue() instanceof Name v ? v.getIdentifier() : key.getIdentifier();
                                alias.put(local, target + "." + key.getIdentifier());
                            }
                        }
                    }
                }
            }
            return true;
        });
        root.visit(node -> {
            boolean moduleLevel = node.getEnclosingFunction() == null;
            if (node instanceof FunctionCall call) {
                String callee = nameOf(call.getTarget(), alias);
                List<AstNode> args = call.getArguments();
                String first = !args.isEmpty() && args.get(0) instanceof StringLiteral s ? s.getValue() : null;
                if (callee == null) {
                    callee = "?";
                }
                if ((callee.equals("require") || callee.equals("import")) && first != null) {
                    f.imports.putIfAbsent(first, node.getLineno());
                }
                Set<String> inner = new LinkedHashSet<>();
                for (AstNode a : args) {
                    a.visit(x -> {
                        if (x instanceof FunctionCall fc) {
                            String n = nameOf(fc.getTarget(), alias);
                            if (n != null) {
                                inner.add(n);
                            }
                        }
                        return true;
                    });
                }
                f.calls.add(new SourceFacts.Call(callee, node.getLineno(), moduleLevel, first, inner));
            } else if (node instanceof StringLiteral s) {
                f.strings.add(new SourceFacts.Str(s.getValue(), node.getLineno()));
            } else if (node instanceof TemplateCharacters tc) {
                f.strings.add(new SourceFacts.Str(tc.getValue(), node.getLineno()));
            } else if (node instanceof Name n) {
                f.names.add(n.getIdentifier());
            } else if (node instanceof PropertyGet pg && !(node.getParent() instanceof FunctionCall fc && fc.getTarget() == node)
                    && !(node.getParent() instanceof PropertyGet)) {
                String name = nameOf(pg, alias);
                if (name != null) {
                    AstNode parent = node.getParent();
                    String next = parent == null ? "" : parent.getClass().getSimpleName();
                    f.refs.add(new SourceFacts.Ref(name, node.getLineno(), moduleLevel, next));
                }
            }
            return true;
        });
    }

    private static String nameOf(AstNode n, Map<String, String> alias) {
        if (n instanceof Name name) {
            return alias.getOrDefault(name.getIdentifier(), name.getIdentifier());
        }
        if (n instanceof PropertyGet pg) {
            String left = nameOf(pg.getTarget(), alias);
            return left == null ? null : left + "." + pg.getProperty().getIdentifier();
        }
        if (n instanceof ElementGet eg && eg.getElement() instanceof StringLiteral s) {
            String left = nameOf(eg.getTarget(), alias);
            return left == null ? null : left + "." + s.getValue();
        }
        if (n instanceof FunctionCall fc && fc.getTarget() instanceof Name r && r.getIdentifier().equals("require")
                && !fc.getArguments().isEmpty() && fc.getArguments().get(0) instanceof StringLiteral s) {
            return stripNodePrefix(s.getValue());
        }
        return null;
    }

    private static String stripNodePrefix(String module) {
        return module.startsWith("node:") ? module.substring(5) : module;
    }

    /** Token-level facts: aliases from require/import, dotted calls, strings; function nesting by braces. */
    private static void lexed(String src, SourceFacts f) {
        List<Token> t = JsLexer.tokenize(src);
        int[] closeAt = PythonFacts.closers(t);
        Map<String, String> alias = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.kind() == Kind.NAME && k.text().equals("require") && i + 3 < t.size() && t.get(i + 1).isOp("(")
                    && t.get(i + 2).kind() == Kind.STRING) {
                String mod = stripNodePrefix(t.get(i + 2).text());
                f.imports.putIfAbsent(t.get(i + 2).text(), k.line());
                if (i >= 2 && t.get(i - 1).isOp("=") && t.get(i - 2).kind() == Kind.NAME) {
                    alias.put(t.get(i - 2).text(), mod);
                } else if (i >= 2 && t.get(i - 1).isOp("=") && t.get(i - 2).isOp("}")) {
                    destructure(t, i - 2, mod, alias);
                }
            }
            if (k.kind() == Kind.NAME && (k.text().equals("from") || k.text().equals("import")) && i + 1 < t.size()
                    && t.get(i + 1).kind() == Kind.STRING) {
                String mod = stripNodePrefix(t.get(i + 1).text());
                f.imports.putIfAbsent(t.get(i + 1).text(), k.line());
                int j = i - 1;
                if (j >= 0 && t.get(j).isOp("}")) {
                    destructure(t, j, mod, alias);
                } else if (j >= 0 && t.get(j).kind() == Kind.NAME) {
                    alias.put(t.get(j).text(), mod);
                }
            }
        }
        int fnDepth = 0;
        boolean nextBraceIsFunction = false;
        java.util.ArrayDeque<Boolean> braces = new java.util.ArrayDeque<>();
        for (int i = 0; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.kind() == Kind.STRING) {
                f.strings.add(new SourceFacts.Str(k.text(), k.line()));
                continue;
            }
            if (k.kind() == Kind.OP) {
                if (k.text().equals("=>")) {
                    nextBraceIsFunction = true;
                } else if (k.text().equals("{")) {
                    braces.push(nextBraceIsFunction);
                    if (nextBraceIsFunction) {
                        fnDepth++;
                    }
                    nextBraceIsFunction = false;
                } else if (k.text().equals("}") && !braces.isEmpty()) {
                    if (braces.pop()) {
                        fnDepth--;
                    }
                }
                continue;
            }
            if (k.kind() != Kind.NAME) {
                continue;
            }
            if (k.text().equals("function")) {
                nextBraceIsFunction = true;
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
            boolean moduleLevel = fnDepth == 0;
            if (j < t.size() && t.get(j).isOp("(")) {
                int close = closeAt[j];
                String first = j + 1 < t.size() && t.get(j + 1).kind() == Kind.STRING ? t.get(j + 1).text() : null;
                Set<String> inner = new LinkedHashSet<>();
                // Only the first tokens of the arguments: a bundle's outermost call spans the whole file, and reading every
                // call's full span made this quadratic. A decoder fed to eval or exec sits at the start of its arguments.
                int end = Math.min(close - 1, j + 1 + MAX_ARGUMENT_TOKENS);
                for (int a = j + 1; a < end; a++) {
                    if (t.get(a).kind() == Kind.NAME && !t.get(a - 1).isOp(".")) {
                        StringBuilder d = new StringBuilder(alias.getOrDefault(t.get(a).text(), t.get(a).text()));
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
                f.calls.add(new SourceFacts.Call(dotted.toString(), k.line(), moduleLevel, first, inner));
            } else if (dotted.indexOf(".") > 0) {
                f.refs.add(new SourceFacts.Ref(dotted.toString(), k.line(), moduleLevel, j < t.size() ? t.get(j).text() : ""));
            }
            i = j - 1;
        }
    }

    private static void destructure(List<Token> t, int closeBrace, String mod, Map<String, String> alias) {
        int j = closeBrace - 1;
        while (j >= 0 && !t.get(j).isOp("{")) {
            Token x = t.get(j);
            if (x.kind() == Kind.NAME) {
                boolean renamed = j >= 2 && (t.get(j - 1).isOp(":") || t.get(j - 1).text().equals("as"));
                String key = renamed ? t.get(j - 2).text() : x.text();
                alias.put(x.text(), mod + "." + key);
                if (renamed) {
                    j -= 2;
                }
            }
            j--;
        }
    }
}
