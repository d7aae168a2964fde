package dev.airlock.sandbox;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * No engine, no image, or the engine or the sandbox's own machinery failed: nothing about the package
 * is known from this run, so it must never become a verdict (callers retry; the policy keeps the
 * version pending). {@link #cause()} is a stable snake_case code for logs and metrics; {@link #detail()}
 * adds the tail of the container's init log when the container got that far.
 */
public final class SandboxUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    static final int LOG_LINES = 20;
    static final int LOG_CHARS = 2048;

    /** The cause when a caller gave none (the two legacy constructors). */
    public static final String UNAVAILABLE = "unavailable";
    /** The engine did not answer (no socket, refused, or no answer within the probe's timeout). */
    public static final String ENGINE_UNREACHABLE = "engine_unreachable";
    /** The engine failed mid-run (waiting for or inspecting the container). */
    public static final String ENGINE_FAILED = "engine_failed";
    /** The configured runtime (e.g. runsc) is not registered with the engine. */
    public static final String RUNTIME_MISSING = "runtime_missing";
    /** The sandbox image is missing and could not be built or imported. */
    public static final String IMAGE_MISSING = "image_missing";
    /** The engine refused to create or start the container. */
    public static final String CONTAINER_START_FAILED = "container_start_failed";
    /** The artifact could not be staged on the host or copied inside the container. */
    public static final String INPUT_UNREADABLE = "input_unreadable";
    /** The in-container init (or the helper scripts) failed before the package's code ran, or crashed. */
    public static final String INIT_FAILED = "init_failed";
    /** The harmless reference package did not install cleanly, so no run can be compared against it. */
    public static final String BASELINE_FAILED = "baseline_failed";
    /** Every sandbox slot stayed busy for longer than a caller waits. */
    public static final String SLOTS_BUSY = "slots_busy";

    private final String cause;
    private final String initLogExcerpt;

    public SandboxUnavailableException(String message) {
        this(UNAVAILABLE, message, null, null);
    }

    public SandboxUnavailableException(String message, Throwable cause) {
        this(UNAVAILABLE, message, null, cause);
    }

    /**
     * @param cause   a stable snake_case code, e.g. {@link #INIT_FAILED}
     * @param message one human sentence about what failed
     * @param initLog the container's init log (or its output) when there is one; only its tail is kept
     * @param error   the underlying exception, or null
     */
    public SandboxUnavailableException(String cause, String message, String initLog, Throwable error) {
        super(message, error);
        if (cause == null || !CODE.matcher(cause).matches()) {
            throw new IllegalArgumentException("not a snake_case cause code: " + cause);
        }
        this.cause = cause;
        this.initLogExcerpt = excerpt(initLog);
    }

    /** The stable snake_case code of what failed, e.g. {@code engine_unreachable}. */
    public String cause() {
        return cause;
    }

    /** The message, then the last lines of the init log (at most ~2 KB) when the container wrote one. */
    public String detail() {
        String message = getMessage() == null ? cause : getMessage();
        return initLogExcerpt.isEmpty() ? message : message + "\ninit log (last lines):\n" + initLogExcerpt;
    }

    /** The last {@value #LOG_LINES} lines of a log, cut to its last {@value #LOG_CHARS} characters. */
    static String excerpt(String log) {
        if (log == null || log.isBlank()) {
            return "";
        }
        List<String> lines = Arrays.asList(log.strip().split("\n"));
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size()));
        return tail.length() <= LOG_CHARS ? tail : "..." + tail.substring(tail.length() - LOG_CHARS + 3);
    }
}
