package dev.airlock.proxy.cli;

import dev.airlock.config.AirlockConfig;
import java.util.concurrent.Callable;

/**
 * A command that reads Airlock's configuration ({@code serve}, {@code sandbox}): it takes the
 * {@link ConfigOptions} flags (with {@code modelTransformer = ConfigOptions.Flags.class,
 * preprocessor = ConfigOptions.DottedKeys.class} on its {@code @Command}) and loads them with
 * the YAML file and the environment of its {@link CliContext}.
 */
public abstract class ConfiguredCommand implements Callable<Integer>, ConfigOptions.Configured {
    protected final CliContext ctx;
    private final ConfigOptions options = new ConfigOptions();

    protected ConfiguredCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final ConfigOptions configOptions() {
        return options;
    }

    /** @throws dev.airlock.config.ConfigException a usage error (exit 2): an unknown key, a bad value, an unreadable file */
    protected final AirlockConfig config() {
        return options.load(ctx.env());
    }
}
