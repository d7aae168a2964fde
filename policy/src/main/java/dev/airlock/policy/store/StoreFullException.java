package dev.airlock.policy.store;

/**
 * The data disk has too little room left for the policy store to write safely: the write is
 * refused before MapDB starts it, and nothing already stored is touched. Writes work again as soon
 * as space is freed; no restart is needed.
 */
public final class StoreFullException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message);
    }
}
