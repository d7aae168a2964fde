package dev.airlock.proxy.cli;

/** Placeholder until issue 6 lands; the dispatcher already routes to it. */
public final class ClientConfigCommand {
    private ClientConfigCommand() {
    }

    public static int run(String[] args) {
        System.err.println("airlock: this command is not built yet");
        return 1;
    }
}
