package dev.airlock.common;

/**
 * A store cannot take a write now, for a reason of the machine, not of the request (a full data
 * disk, a store reopening after a failure): nothing was written, and the same call can work later.
 * Callers answer 503 or try again; never a verdict on a package.
 */
public class StorageUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public StorageUnavailableException(String message) {
        super(message);
    }

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
