package dev.airlock.analysis.cli;

/** Placeholder until issue 5 lands; the dispatcher already routes to it. */
public final class AnalyzeCommand {
    private AnalyzeCommand() {
    }

    public static int run(String[] args) {
        System.err.println("airlock analyze: not built yet");
        return 1;
    }
}
