package dev.airlock.proxy.cli;

import dev.airlock.analysis.cli.AnalyzeOptions;
import dev.airlock.config.ConfigException;
import dev.airlock.model.Ecosystem;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs {@code bin/airlock}'s commands with picocli: builds each command with the {@link
 * CliContext}, and turns what goes wrong into the documented exit codes. A bad command line is 2
 * (the message, then the usage of the command it was for, on stderr), and so is a configuration
 * that does not load; an {@link AdminException} is its own code; anything else a command throws is 1.
 */
public final class Cli {
    static final int USAGE = 2;

    private Cli() {
    }

    /** {@code bin/airlock ARGS}. */
    public static int run(String[] args, CliContext ctx) {
        CommandLine root = commandLine(new AirlockCommand(ctx), ctx);
        // 'airlock --help' has always printed to stderr; each command's own help goes to stdout.
        root.setOut(new PrintWriter(ctx.err(), true));
        PrintWriter out = new PrintWriter(ctx.out(), true);
        root.getSubcommands().values().forEach(c -> c.setOut(out));
        return root.execute(args);
    }

    /** One command on its own, as if it were the whole program (tests and embedding). */
    static int run(Object command, String[] args, CliContext ctx) {
        CommandLine cl = commandLine(command, ctx);
        cl.setCommandName("airlock " + cl.getCommandName());
        return cl.execute(args);
    }

    static CommandLine commandLine(Object command, CliContext ctx) {
        CommandLine cl = new CommandLine(command, new ContextFactory(ctx));
        // '@scope/name' is an npm package, never a file of arguments to read.
        cl.setExpandAtFiles(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Ecosystem.class, Cli::ecosystem);
        cl.setOut(new PrintWriter(ctx.out(), true));
        cl.setErr(new PrintWriter(ctx.err(), true));
        allowRepeatedConfigurationFlags(cl);
        cl.setParameterExceptionHandler((e, args) -> {
            ctx.err().println(programName(e.getCommandLine()) + ": " + problem(e));
            ctx.err().print(e.getCommandLine().getUsageMessage());
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof ConfigException) {
                ctx.err().println(programName(line) + ": " + e.getMessage());
                return USAGE;
            }
            if (e instanceof AdminException a) {
                ctx.err().println(programName(line) + ": " + a.getMessage());
                if (a.showUsage()) {
                    ctx.err().print(line.getUsageMessage());
                }
                return a.exitCode();
            }
            ctx.err().println(programName(line) + ": " + e);
            return 1;
        });
        return cl;
    }

    /** As the YAML file and the environment do, a configuration flag given twice takes the later value. */
    private static void allowRepeatedConfigurationFlags(CommandLine cl) {
        if (cl.getCommandSpec().userObject() instanceof ConfigOptions.Configured) {
            cl.setOverwrittenOptionsAllowed(true);
        } else {
            cl.getSubcommands().values().forEach(Cli::allowRepeatedConfigurationFlags);
        }
    }

    /** picocli's message, except that a word where a command belongs is called an unknown command. */
    private static String problem(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !e.getCommandLine().getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + u.getUnmatched().get(0) + "'";
        }
        return e.getMessage();
    }

    private static Ecosystem ecosystem(String text) {
        try {
            return Ecosystem.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code airlock admin} for every admin subcommand: the name the messages have always had. */
    private static String programName(CommandLine line) {
        CommandSpec spec = line.getCommandSpec();
        while (spec.parent() != null && spec.parent().parent() != null) {
            spec = spec.parent();
        }
        return spec.qualifiedName();
    }

    /**
     * Gives a command its {@link CliContext} when it has a constructor that takes one, and
     * {@code analyze} the policy's look-alike check.
     */
    private record ContextFactory(CliContext ctx) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == AnalyzeOptions.class) {
                return cls.cast(new AnalyzeOptions(LookalikeNames.bundled()));
            }
            for (Constructor<?> c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == CliContext.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(ctx));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
