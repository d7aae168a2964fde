package dev.airlock.analysis.cli;

import dev.airlock.analysis.NameCheck;
import dev.airlock.model.Ecosystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line of {@code airlock analyze}, parsed by picocli; {@link AnalyzeCommand} does the
 * work. {@code --} ends the options, so a file may be called {@code --json}.
 */
@Command(name = "analyze", description = "Analyse artifacts: exit 0 when every input is allowed, 3 when any is not.")
public final class AnalyzeOptions implements Callable<Integer> {
    @Option(names = "--json", description = "one JSON object per input per line")
    boolean json;

    @Option(names = "--no-sandbox", description = "static analysis only")
    boolean noSandbox;

    @Option(names = "--require-sandbox", description = "fail when the sandbox cannot run")
    boolean requireSandbox;

    @Option(names = "--ecosystem", paramLabel = "npm|pypi", converter = EcosystemConverter.class,
            description = "the inputs' ecosystem (default: from each file)")
    Ecosystem ecosystem;

    @Option(names = "--previous", paramLabel = "FILE",
            description = "the package's previous release, which each FILE is compared with")
    Path previous;

    @Option(names = "--deps", paramLabel = "DIR",
            description = "a directory of allowed artifacts the sandbox installs dependencies from")
    Path deps;

    @Parameters(paramLabel = "FILE", arity = "0..*")
    List<String> files = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    /** Reports look-alike names with it; the policy module owns the detector, so the caller hands it in. */
    final NameCheck names;

    public AnalyzeOptions() {
        this(NameCheck.NONE);
    }

    public AnalyzeOptions(NameCheck names) {
        this.names = names;
    }

    /** Run from {@code bin/airlock analyze}: the standard streams and the Docker sandbox. */
    @Override
    public Integer call() {
        return AnalyzeCommand.execute(this, System.out, System.err, AnalyzeCommand.DEFAULT_SANDBOXES);
    }

    /** A command line for these options, as {@code bin/airlock} builds one. */
    static CommandLine commandLine(AnalyzeOptions options) {
        return new CommandLine(options).setExpandAtFiles(false);
    }

    /** {@link Ecosystem#parse}, whose message names what is accepted. */
    static final class EcosystemConverter implements CommandLine.ITypeConverter<Ecosystem> {
        @Override
        public Ecosystem convert(String value) {
            try {
                return Ecosystem.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
