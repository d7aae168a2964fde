package dev.airlock.proxy;

/** Entry point of {@code bin/airlock}: dispatches to the subcommands. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("usage: airlock serve|analyze|sandbox|admin|client-config ...");
        System.exit(2);
    }
}
