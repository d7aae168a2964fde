package dev.airlock.proxy.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * What a command sees of the world besides its arguments: the environment, where output and
 * errors go, and whether a person is watching (progress is drawn only then). Tests pass their own.
 */
public record CliContext(Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
    public CliContext {
        env = Map.copyOf(env);
    }

    /** The process's own environment, standard streams, and whether it has a console. */
    public static CliContext system() {
        return new CliContext(System.getenv(), System.out, System.err, System.console() != null);
    }
}
