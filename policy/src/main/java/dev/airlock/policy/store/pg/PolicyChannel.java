package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;

/**
 * The notifications policy's shared store sends on one channel: {@code kind TAB node TAB key}, kind
 * {@code v} (verdict), {@code o} (override), {@code h} (hold exemption) or {@code f} (feed records,
 * no key). The node lets a receiver skip its own writes.
 */
final class PolicyChannel {
    static final String NAME = "airlock_policy";

    /** A parsed notification. */
    record Change(char kind, String node, String key) {
    }

    private PolicyChannel() {
    }

    static String verdict(String node, PackageCoordinate c) {
        return "v\t" + node + "\t" + c;
    }

    static String override(String node, String target) {
        return "o\t" + node + "\t" + target;
    }

    static String exemption(String node, String target) {
        return "h\t" + node + "\t" + target;
    }

    static String feed(String node) {
        return "f\t" + node + "\t";
    }

    /** Null for a payload this version does not know (a newer node's): the reconcile covers it. */
    static Change parse(String payload) {
        if (payload == null || payload.length() < 3 || payload.charAt(1) != '\t') {
            return null;
        }
        int tab = payload.indexOf('\t', 2);
        if (tab < 0) {
            return null;
        }
        return new Change(payload.charAt(0), payload.substring(2, tab), payload.substring(tab + 1));
    }
}
