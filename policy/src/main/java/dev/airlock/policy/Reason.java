package dev.airlock.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One explanation of a verdict.
 *
 * @param code    stable snake_case id, e.g. {@code known_malware}; logs, metrics and the API share it
 * @param message one sentence for a person; ASCII only because it may become an HTTP reason phrase
 * @param source  {@code rule}, {@code analysis}, {@code feed} or {@code admin}
 */
public record Reason(String code, String message, String source) {
    private static final Pattern CODE = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final int MAX_MESSAGE = 300;

    @JsonCreator
    public Reason(@JsonProperty("code") String code, @JsonProperty("message") String message,
                  @JsonProperty("source") String source) {
        Objects.requireNonNull(code, "code");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("reason code must be snake_case, got '" + code + "'");
        }
        this.code = code;
        this.message = ascii(message == null ? code : message);
        this.source = Objects.requireNonNull(source, "source");
    }

    public static Reason of(String code, ReasonSource source, String message) {
        return new Reason(code, message, source.id());
    }

    /**
     * Keeps printable ASCII only: the message travels in an HTTP/1.1 reason phrase, where a
     * control character would split the response and non-ASCII bytes are misread by clients.
     */
    public static String ascii(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_MESSAGE));
        for (int i = 0; i < text.length() && b.length() < MAX_MESSAGE; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else if (c == '\n' || c == '\r' || c == '\t') {
                b.append(' ');
            } else {
                b.append('?');
            }
        }
        return b.toString().trim();
    }
}
