package dev.airlock.policy.store;

/** The store file was written by another schema version that this build cannot read or migrate. */
public final class StoreSchemaException extends RuntimeException {
    public StoreSchemaException(String message) {
        super(message);
    }
}
