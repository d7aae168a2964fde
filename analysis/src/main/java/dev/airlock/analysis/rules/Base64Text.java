package dev.airlock.analysis.rules;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Base64 constants read back as text, the way droppers hide commands and addresses. */
final class Base64Text {
    private Base64Text() {
    }

    /** True when every character is of the base64 alphabets (standard or URL-safe) or whitespace. */
    static boolean looksEncoded(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
                    || c == '_' || c == '-' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0x0b;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The decoded text when {@code s} is base64 of mostly printable text (UTF-8 or PowerShell's UTF-16LE), else null. */
    static String decode(String s) {
        StringBuilder clean = new StringBuilder(s.length());
        boolean urlSafe = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                clean.append(c);
                urlSafe |= c == '-' || c == '_';
            }
        }
        byte[] raw;
        try {
            raw = urlSafe ? Base64.getUrlDecoder().decode(clean.toString()) : Base64.getDecoder().decode(clean.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
        // PowerShell's -EncodedCommand is UTF-16LE: every other byte is zero.
        int zeros = 0;
        for (int i = 1; i < raw.length; i += 2) {
            if (raw[i] == 0) {
                zeros++;
            }
        }
        String text = zeros > raw.length / 3 ? new String(raw, StandardCharsets.UTF_16LE) : new String(raw, StandardCharsets.UTF_8);
        int printable = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t') {
                printable++;
            }
        }
        return text.length() > 0 && printable >= text.length() * 0.9 ? text : null;
    }
}
