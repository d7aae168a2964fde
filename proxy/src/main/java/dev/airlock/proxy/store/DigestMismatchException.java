package dev.airlock.proxy.store;

/** The upstream's bytes do not match the hash its own metadata published: never stored, never served. */
public final class DigestMismatchException extends Exception {
    private static final long serialVersionUID = 1L;

    public DigestMismatchException(String message) {
        super(message);
    }
}
