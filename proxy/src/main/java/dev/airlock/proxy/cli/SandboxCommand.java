package dev.airlock.proxy.cli;

import dev.airlock.config.SandboxConfig;
import dev.airlock.sandbox.DockerSandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code bin/airlock sandbox build-image|status}: exit 0 done, 1 failed, 2 usage. Takes the usual
 * configuration ({@code --config FILE}, {@code --sandbox.runtime runsc}, ...), before or after
 * the subcommand.
 */
@Command(name = "sandbox", modelTransformer = ConfigOptions.Flags.class, preprocessor = ConfigOptions.DottedKeys.class,
        description = "The sandbox image.",
        footer = "  --sandbox.runtime auto|runc|runsc, --sandbox.image TAG, or any other configuration key")
final class SandboxCommand extends ConfiguredCommand {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "print this help")
    boolean help;

    SandboxCommand(CliContext ctx) {
        super(ctx);
    }

    /** No subcommand: the usage on stderr, exit 2. */
    @Override
    public Integer call() {
        ctx.err().print(spec.commandLine().getUsageMessage());
        return Cli.USAGE;
    }

    @Command(name = "build-image", description = {"Build the sandbox image from Debian packages (reuses the cached root",
            "filesystem; --rebuild re-imports even when the image exists)."})
    int buildImage(@Option(names = "--rebuild", description = "import again even when the image exists") boolean rebuild) {
        SandboxConfig config = config().sandbox();
        try (DockerSandbox sandbox = DockerSandbox.create(config)) {
            if (!sandbox.available()) {
                ctx.err().println(sandbox.status());
                return 1;
            }
            ctx.out().println(sandbox.buildImage(rebuild));
            return 0;
        } catch (IOException | SandboxUnavailableException | IllegalArgumentException e) {
            ctx.err().println("airlock sandbox build-image failed: " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "status", description = "Say whether a Docker engine is reachable and the sandbox can run.")
    int status() {
        SandboxConfig config = config().sandbox();
        try (DockerSandbox sandbox = DockerSandbox.create(config)) {
            ctx.out().println(sandbox.status());
            return sandbox.available() ? 0 : 1;
        }
    }
}
