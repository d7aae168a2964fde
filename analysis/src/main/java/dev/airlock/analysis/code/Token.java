package dev.airlock.analysis.code;

/**
 * One lexical token. For strings {@code text} is the decoded value (escapes resolved), so an
 * address hidden as {@code "\x68\x74\x74\x70"} reads as what it is.
 */
public record Token(Kind kind, String text, int line) {
    public enum Kind { NAME, STRING, NUMBER, OP, NEWLINE, INDENT, DEDENT }

    public boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    public boolean isOp(String t) {
        return kind == Kind.OP && text.equals(t);
    }
}
