package dev.airlock.proxy.cli;

import dev.airlock.analysis.cli.AnalyzeOptions;
import dev.airlock.proxy.ServeCommand;
import dev.airlock.proxy.WorkerCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/airlock}: the table of commands. A new command is one class annotated with
 * {@code @Command(name = ...)} (a constructor taking a {@link CliContext} gets one) and one entry
 * in {@code subcommands} below; its options, help and usage errors come from picocli.
 */
@Command(name = "airlock", description = "A package firewall for PyPI and npm.",
        subcommands = {ServeCommand.class, WorkerCommand.class, AnalyzeOptions.class, SandboxCommand.class, AdminCommand.class,
                ClientConfigCommand.class},
        footer = "Run 'airlock COMMAND --help' for a command's options.")
public final class AirlockCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    AirlockCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** No command given: the list of commands on stderr, exit 2. */
    @Override
    public Integer call() {
        ctx.err().print(spec.commandLine().getUsageMessage());
        return Cli.USAGE;
    }
}
