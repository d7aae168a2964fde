package dev.airlock.proxy.upstream;

/**
 * The upstream could not give a usable answer: unreachable, timed out, breaker open, 5xx, or a
 * body that broke a limit. {@code status} is the HTTP status Airlock answers with (502 or 504).
 */
public final class UpstreamException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public UpstreamException(int status, String message) {
        super(message);
        this.status = status;
    }

    public UpstreamException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
