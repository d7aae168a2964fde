package dev.airlock.proxy;

import dev.airlock.proxy.cli.Cli;
import dev.airlock.proxy.cli.CliContext;

/** Entry point of {@code bin/airlock}: the commands are in {@link dev.airlock.proxy.cli.AirlockCommand}; the exit code is theirs. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(args, CliContext.system()));
    }
}
