package dev.airlock.analysis.code;

import dev.airlock.analysis.code.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A Python tokenizer after the language reference's lexical rules: comments are dropped, strings
 * (all prefixes, triple quotes, escapes) become one token with their value, and logical lines
 * produce NEWLINE / INDENT / DEDENT so callers can tell module-level code from function bodies.
 * It never throws: malformed input ends the current token and goes on, because hostile files are
 * exactly the ones most likely to be malformed.
 */
public final class PythonTokenizer {
    private static final String[] OPS3 = {"**=", "//=", ">>=", "<<=", "...", "!=="};
    private static final String[] OPS2 = {"**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "@=", ":="};

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int depth;

    private PythonTokenizer(String src) {
        this.src = src;
    }

    public static List<Token> tokenize(String source) {
        PythonTokenizer t = new PythonTokenizer(source);
        t.run();
        return t.out;
    }

    private void run() {
        List<Integer> indents = new ArrayList<>();
        indents.add(0);
        boolean atLineStart = true;
        int n = src.length();
        while (pos < n) {
            if (atLineStart && depth == 0) {
                int col = 0;
                int p = pos;
                while (p < n && (src.charAt(p) == ' ' || src.charAt(p) == '\t' || src.charAt(p) == '\f')) {
                    col += src.charAt(p) == '\t' ? 8 - (col % 8) : 1;
                    p++;
                }
                if (p >= n) {
                    pos = p;
                    break;
                }
                char c = src.charAt(p);
                if (c == '\n' || c == '\r' || c == '#') {
                    pos = p;
                    atLineStart = false;
                    continue;
                }
                pos = p;
                int top = indents.get(indents.size() - 1);
                if (col > top) {
                    indents.add(col);
                    out.add(new Token(Kind.INDENT, "", line));
                } else {
                    while (col < indents.get(indents.size() - 1) && indents.size() > 1) {
                        indents.remove(indents.size() - 1);
                        out.add(new Token(Kind.DEDENT, "", line));
                    }
                }
                atLineStart = false;
            }
            char c = src.charAt(pos);
            if (c == '\n' || c == '\r') {
                if (c == '\r' && pos + 1 < n && src.charAt(pos + 1) == '\n') {
                    pos++;
                }
                pos++;
                if (depth == 0 && !out.isEmpty() && out.get(out.size() - 1).kind() != Kind.NEWLINE
                        && out.get(out.size() - 1).kind() != Kind.DEDENT && out.get(out.size() - 1).kind() != Kind.INDENT) {
                    out.add(new Token(Kind.NEWLINE, "", line));
                }
                line++;
                // Inside brackets a newline is only whitespace: indentation is measured on logical lines.
                atLineStart = depth == 0;
            } else if (c == ' ' || c == '\t' || c == '\f') {
                pos++;
            } else if (c == '#') {
                while (pos < n && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == '\\' && pos + 1 < n && (src.charAt(pos + 1) == '\n' || src.charAt(pos + 1) == '\r')) {
                pos += 2;
                if (src.charAt(pos - 1) == '\r' && pos < n && src.charAt(pos) == '\n') {
                    pos++;
                }
                line++;
            } else if (isStringStart(pos)) {
                string();
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < n && Character.isDigit(src.charAt(pos + 1)))) {
                int s = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.' || src.charAt(pos) == '_'
                        || ((src.charAt(pos) == '+' || src.charAt(pos) == '-') && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E')
                        && !src.substring(s, pos).startsWith("0x")))) {
                    pos++;
                }
                out.add(new Token(Kind.NUMBER, src.substring(s, pos), line));
            } else if (Character.isJavaIdentifierStart(c) || Character.isHighSurrogate(c)) {
                int s = pos;
                while (pos < n && (Character.isJavaIdentifierPart(src.charAt(pos)) || Character.isSurrogate(src.charAt(pos)))) {
                    pos++;
                }
                out.add(new Token(Kind.NAME, src.substring(s, pos), line));
            } else {
                String op = op();
                if ("([{".contains(op)) {
                    depth++;
                } else if (")]}".contains(op) && depth > 0) {
                    depth--;
                }
                out.add(new Token(Kind.OP, op, line));
            }
        }
        if (!out.isEmpty() && out.get(out.size() - 1).kind() != Kind.NEWLINE) {
            out.add(new Token(Kind.NEWLINE, "", line));
        }
        for (int i = 1; i < indents.size(); i++) {
            out.add(new Token(Kind.DEDENT, "", line));
        }
    }

    private String op() {
        for (String o : OPS3) {
            if (src.startsWith(o, pos)) {
                pos += 3;
                return o;
            }
        }
        for (String o : OPS2) {
            if (src.startsWith(o, pos)) {
                pos += 2;
                return o;
            }
        }
        return String.valueOf(src.charAt(pos++));
    }

    private boolean isStringStart(int p) {
        int n = src.length();
        int i = p;
        while (i < n && i - p < 2 && "rRbBuUfF".indexOf(src.charAt(i)) >= 0) {
            i++;
        }
        if (i >= n) {
            return false;
        }
        char q = src.charAt(i);
        if (q != '\'' && q != '"') {
            return false;
        }
        // A prefix must be the start of the token, not the tail of a name like "bar".
        return p == 0 || i == p || !Character.isJavaIdentifierPart(src.charAt(p - 1));
    }

    private void string() {
        int n = src.length();
        int startLine = line;
        boolean raw = false;
        while ("rRbBuUfF".indexOf(src.charAt(pos)) >= 0) {
            if (src.charAt(pos) == 'r' || src.charAt(pos) == 'R') {
                raw = true;
            }
            pos++;
        }
        char q = src.charAt(pos);
        boolean triple = src.startsWith("" + q + q + q, pos);
        pos += triple ? 3 : 1;
        StringBuilder sb = new StringBuilder();
        while (pos < n) {
            char c = src.charAt(pos);
            if (triple ? src.startsWith("" + q + q + q, pos) : c == q) {
                pos += triple ? 3 : 1;
                break;
            }
            if (!triple && (c == '\n' || c == '\r')) {
                break;
            }
            if (c == '\n') {
                line++;
            }
            if (c == '\\' && pos + 1 < n) {
                char e = src.charAt(pos + 1);
                if (raw) {
                    sb.append(c).append(e);
                    if (e == '\n') {
                        line++;
                    }
                    pos += 2;
                    continue;
                }
                pos += 2;
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                        int v = e - '0';
                        for (int k = 0; k < 2 && pos < n && src.charAt(pos) >= '0' && src.charAt(pos) <= '7'; k++) {
                            v = v * 8 + (src.charAt(pos++) - '0');
                        }
                        sb.append((char) v);
                    }
                    case 'x' -> sb.append(hexChar(2));
                    case 'u' -> sb.append(hexChar(4));
                    case 'U' -> sb.appendCodePoint(Math.min(hexInt(8), Character.MAX_CODE_POINT));
                    case '\n' -> line++;
                    default -> sb.append(e == '\\' || e == '\'' || e == '"' ? String.valueOf(e) : "\\" + e);
                }
                continue;
            }
            sb.append(c);
            pos++;
        }
        out.add(new Token(Kind.STRING, sb.toString(), startLine));
    }

    private char hexChar(int digits) {
        return (char) hexInt(digits);
    }

    private int hexInt(int digits) {
        int v = 0;
        for (int k = 0; k < digits && pos < src.length(); k++) {
            int d = Character.digit(src.charAt(pos), 16);
            if (d < 0) {
                break;
            }
            v = v * 16 + d;
            pos++;
        }
        return v;
    }
}
