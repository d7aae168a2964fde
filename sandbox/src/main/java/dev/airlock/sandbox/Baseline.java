package dev.airlock.sandbox;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a harmless package's run of one artifact kind records: the runtime's own file accesses and
 * commands. Subtracted from every report of that kind so only the package's behaviour remains.
 *
 * @param files    normalised paths
 * @param commands normalised argv, joined with NUL
 */
record Baseline(Set<String> files, Set<String> commands) {
    Baseline {
        files = new TreeSet<>(files);
        commands = new TreeSet<>(commands);
    }

    static final Baseline EMPTY = new Baseline(Set.of(), Set.of());

    static String key(List<String> argv) {
        return String.join("\u0000", argv);
    }
}
