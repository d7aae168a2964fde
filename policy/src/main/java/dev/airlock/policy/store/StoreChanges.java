package dev.airlock.policy.store;

import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.Verdict;

/**
 * Changes another node made to a shared store, told after the store's own copy took them and
 * before its change count moves, so a decision worked out at the new count sees them. Called on
 * the store's listener thread: quick, and never throwing.
 */
public interface StoreChanges {
    /** Another node wrote this verdict (an analysis result, a re-decision). */
    default void verdict(Verdict v) {
    }

    /** Another node set ({@code o}) or removed ({@code null}) the override of {@code target}. */
    default void override(String target, AdminOverride o) {
    }

    /** Another node set ({@code json}) or removed ({@code null}) a break-glass exemption. */
    default void holdExemption(String target, String json) {
    }

    /** Another node imported or withdrew feed records. */
    default void feed() {
    }
}
