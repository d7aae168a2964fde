package dev.airlock.policy.store;

import dev.airlock.common.StorageUnavailableException;

/**
 * The policy store cannot take a write now, for a reason of the machine, not of the request:
 * nothing was written, and the same call can work later (once disk space is freed, or after a
 * restart). Callers answer 503, never a verdict.
 */
public class StoreUnavailableException extends StorageUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
