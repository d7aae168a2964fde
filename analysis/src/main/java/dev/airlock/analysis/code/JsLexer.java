package dev.airlock.analysis.code;

import dev.airlock.analysis.code.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A JavaScript lexer for what Rhino cannot parse (ES modules, newer syntax): comments dropped,
 * strings and template literals decoded, regular-expression literals told apart from division by
 * the token before them. Never throws.
 */
public final class JsLexer {
    private static final Set<String> REGEX_AFTER = Set.of("return", "typeof", "case", "do", "else", "in", "of",
            "new", "delete", "void", "throw", "instanceof", "yield", "await");

    private JsLexer() {
    }

    public static List<Token> tokenize(String src) {
        List<Token> out = new ArrayList<>();
        int n = src.length();
        int pos = 0;
        int line = 1;
        while (pos < n) {
            char c = src.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '/' && pos + 1 < n && src.charAt(pos + 1) == '/') {
                while (pos < n && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '/' && pos + 1 < n && src.charAt(pos + 1) == '*') {
                int end = src.indexOf("*/", pos + 2);
                end = end < 0 ? n : end + 2;
                for (int i = pos; i < end; i++) {
                    if (src.charAt(i) == '\n') {
                        line++;
                    }
                }
                pos = end;
            } else if (c == '"' || c == '\'' || c == '`') {
                StringBuilder sb = new StringBuilder();
                int startLine = line;
                pos++;
                while (pos < n && src.charAt(pos) != c) {
                    char d = src.charAt(pos);
                    if (d == '\n') {
                        line++;
                        if (c != '`') {
                            break;
                        }
                    }
                    if (d == '\\' && pos + 1 < n) {
                        char e = src.charAt(pos + 1);
                        pos += 2;
                        switch (e) {
                            case 'n' -> sb.append('\n');
                            case 't' -> sb.append('\t');
                            case 'x' -> {
                                sb.append((char) hex(src, pos, 2));
                                pos = Math.min(n, pos + 2);
                            }
                            case 'u' -> {
                                if (pos < n && src.charAt(pos) == '{') {
                                    int close = src.indexOf('}', pos);
                                    close = close < 0 ? n - 1 : close;
                                    sb.appendCodePoint(Math.min(hex(src, pos + 1, close - pos - 1), Character.MAX_CODE_POINT));
                                    pos = close + 1;
                                } else {
                                    sb.append((char) hex(src, pos, 4));
                                    pos = Math.min(n, pos + 4);
                                }
                            }
                            case '\n' -> line++;
                            default -> sb.append(e);
                        }
                        continue;
                    }
                    sb.append(d);
                    pos++;
                }
                pos++;
                out.add(new Token(Kind.STRING, sb.toString(), startLine));
            } else if (c == '/' && regexAllowed(out)) {
                pos++;
                boolean cls = false;
                while (pos < n && src.charAt(pos) != '\n') {
                    char d = src.charAt(pos);
                    if (d == '\\') {
                        pos += 2;
                        continue;
                    }
                    if (d == '[') {
                        cls = true;
                    } else if (d == ']') {
                        cls = false;
                    } else if (d == '/' && !cls) {
                        break;
                    }
                    pos++;
                }
                pos++;
                while (pos < n && Character.isLetter(src.charAt(pos))) {
                    pos++;
                }
                out.add(new Token(Kind.OP, "/regex/", line));
            } else if (Character.isDigit(c)) {
                int s = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.' || src.charAt(pos) == '_')) {
                    pos++;
                }
                out.add(new Token(Kind.NUMBER, src.substring(s, pos), line));
            } else if (Character.isJavaIdentifierStart(c) || c == '#') {
                int s = pos++;
                while (pos < n && Character.isJavaIdentifierPart(src.charAt(pos))) {
                    pos++;
                }
                out.add(new Token(Kind.NAME, src.substring(s, pos), line));
            } else {
                if (c == '=' && pos + 1 < n && src.charAt(pos + 1) == '>') {
                    out.add(new Token(Kind.OP, "=>", line));
                    pos += 2;
                } else if (c == '?' && pos + 1 < n && src.charAt(pos + 1) == '.') {
                    out.add(new Token(Kind.OP, ".", line));
                    pos += 2;
                } else {
                    out.add(new Token(Kind.OP, String.valueOf(c), line));
                    pos++;
                }
            }
        }
        return out;
    }

    private static boolean regexAllowed(List<Token> out) {
        if (out.isEmpty()) {
            return true;
        }
        Token prev = out.get(out.size() - 1);
        return switch (prev.kind()) {
            case NAME -> REGEX_AFTER.contains(prev.text());
            case STRING, NUMBER -> false;
            default -> !(prev.text().equals(")") || prev.text().equals("]") || prev.text().equals("}"));
        };
    }

    private static int hex(String s, int from, int digits) {
        int v = 0;
        for (int k = 0; k < digits && from + k < s.length(); k++) {
            int d = Character.digit(s.charAt(from + k), 16);
            if (d < 0) {
                break;
            }
            v = v * 16 + d;
        }
        return v;
    }
}
