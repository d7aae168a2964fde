package dev.airlock.sandbox;

/** No engine, no image, or the engine failed: nothing about the package is known from this run. */
public final class SandboxUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SandboxUnavailableException(String message) {
        super(message);
    }

    public SandboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
