package dev.airlock.analysis.cli;

import dev.airlock.analysis.NameCheck;
import java.io.PrintStream;
import java.util.Optional;

/** Lets tests outside the package run the command with a name check and no sandbox lookup. */
public final class AnalyzeCommandAccess {
    private AnalyzeCommandAccess() {
    }

    public static int run(String[] args, PrintStream out, NameCheck names) {
        return AnalyzeCommand.run(args, out, System.err, Optional::empty, names);
    }
}
