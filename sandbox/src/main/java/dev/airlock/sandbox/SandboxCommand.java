package dev.airlock.sandbox;

/** Placeholder until issue 4 lands; the dispatcher already routes to it. */
public final class SandboxCommand {
    private SandboxCommand() {
    }

    public static int run(String[] args) {
        System.err.println("airlock sandbox: not built yet");
        return 1;
    }
}
