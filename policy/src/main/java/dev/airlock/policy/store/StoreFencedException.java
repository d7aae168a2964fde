package dev.airlock.policy.store;

/** A write after a failure inside MapDB: refused until a restart reopens the store at its last good commit. */
public final class StoreFencedException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreFencedException(String message) {
        super(message);
    }
}
