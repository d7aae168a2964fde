package dev.airlock.policy.review;

/** A bulk action's selection no longer holds the number of versions the person confirmed; nothing was changed. */
public final class SelectionChanged extends IllegalStateException {
    public SelectionChanged(String message) {
        super(message);
    }
}
