package dev.airlock.policy.store;

/**
 * A write after a failure inside MapDB: refused until the store is reopened at its last good commit,
 * which it does by itself once the disk has room (a restart does it too).
 */
public final class StoreFencedException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreFencedException(String message) {
        super(message);
    }
}
