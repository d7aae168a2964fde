package dev.airlock.sql;

/**
 * The shared database could not be reached or refused a statement. An infrastructure failure,
 * never a verdict on a package: callers on the serving path fail closed (the version is not
 * served), side paths log it, the analysis queue retries the job later.
 */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
