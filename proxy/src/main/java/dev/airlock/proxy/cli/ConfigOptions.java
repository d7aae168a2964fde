package dev.airlock.proxy.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The configuration flags of the commands that read Airlock's configuration ({@code serve},
 * {@code sandbox}): {@code --config FILE}, the top-level flags and their aliases (the table
 * below), and any key as a dotted flag ({@code --policy.mode audit}, {@code --upstream.retries=4}).
 * Values are checked by {@link ConfigLoader}, which also merges the YAML file and the
 * {@code AIRLOCK_*} environment; of repeated flags the last one wins.
 *
 * <p>A command implements {@link Configured} and declares {@code modelTransformer =
 * ConfigOptions.Flags.class, preprocessor = ConfigOptions.DottedKeys.class}. The flags become
 * options of the command and its subcommands, before or after the subcommand's name; picocli has
 * no option for a family of names, so dotted keys are taken out before picocli parses the rest.
 */
public final class ConfigOptions {
    /** One flag: its name without dashes (a {@link ConfigLoader#FLAGS} name, an alias, or config), the value's label, help. */
    record Flag(String name, String label, String help) {
    }

    static final List<Flag> FLAGS = List.of(
            new Flag("config", "FILE", "a YAML configuration file (or $AIRLOCK_CONFIG)"),
            new Flag("port", "N", "listening port (8080; 0 picks one)"),
            new Flag("bind", "ADDR", "listening address (0.0.0.0)"),
            new Flag("data-dir", "DIR", "verdicts, artifacts and the admin token"),
            new Flag("public-url", "URL", "the URL clients reach Airlock at"),
            new Flag("pypi-upstream", "URL", "upstream simple index"),
            new Flag("pypi-file-hosts", "H,H", "other hosts PyPI file URLs may name"),
            new Flag("npm-upstream", "URL", "upstream npm registry (default: what npm on this host uses)"),
            new Flag("admin-token", "T", "admin API token"),
            new Flag("log-format", "text|json", "access log format"),
            new Flag("tls-cert", "PEM", "= --server.tls.cert"),
            new Flag("tls-key", "PEM", "= --server.tls.key"));

    /** A command that takes the configuration flags. */
    public interface Configured {
        ConfigOptions configOptions();
    }

    private final Map<String, String> flags = new LinkedHashMap<>();
    private String configFile;

    private void set(String flag, String value) {
        if (flag.equals("config")) {
            configFile = value;
            return;
        }
        String key = ConfigLoader.ALIASES.getOrDefault(flag, flag);
        flags.remove(key);
        flags.put(key, value);
    }

    /** The configuration these flags, the file and {@code env} make. */
    public AirlockConfig load(Map<String, String> env) {
        return ConfigLoader.load(configFile, flags, env);
    }

    /** The flags as given, key to value (aliases resolved), without {@code --config}. */
    Map<String, String> flags() {
        return Map.copyOf(flags);
    }

    private static ConfigOptions of(CommandSpec spec) {
        if (spec.userObject() instanceof Configured c) {
            return c.configOptions();
        }
        throw new IllegalStateException(spec.qualifiedName() + " takes configuration flags but is not Configured");
    }

    /** Adds the flags of {@link #FLAGS} to the command, inherited by its subcommands. */
    public static final class Flags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            ConfigOptions options = of(spec);
            for (Flag f : FLAGS) {
                spec.addOption(OptionSpec.builder("--" + f.name()).paramLabel(f.label()).description(f.help())
                        .type(String.class).scopeType(ScopeType.INHERIT).setter(new Setter(options, f.name()))
                        .getter(new Setter(options, f.name())).build());
            }
            return spec;
        }
    }

    /** Where picocli puts a flag's value; it has nothing to read back (no defaults are shown). */
    private record Setter(ConfigOptions options, String flag) implements ISetter, IGetter {
        @Override
        public <T> T set(T value) {
            if (value != null) {
                options.set(flag, value.toString());
            }
            return null;
        }

        @Override
        public <T> T get() {
            return null;
        }
    }

    /**
     * Takes {@code --section.key VALUE} and {@code --section.key=VALUE} out of the arguments of
     * the command it is set on (wherever they stand, before or after a subcommand) into that
     * command's {@link ConfigOptions}. A dotted key that has an alias ({@code --server.tls.cert})
     * is left in place as the alias, so that of the two the later still wins.
     */
    public static final class DottedKeys implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
            ConfigOptions options = of(spec);
            List<String> all = new ArrayList<>();
            while (!args.isEmpty()) {
                all.add(args.pop());
            }
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                String a = all.get(i);
                if (a.equals("--")) {
                    rest.addAll(all.subList(i, all.size()));
                    break;
                }
                int eq = a.indexOf('=');
                String name = a.startsWith("--") ? a.substring(2, eq < 0 ? a.length() : eq) : "";
                String alias = aliasOf(name);
                if (!name.contains(".")) {
                    rest.add(a);
                } else if (alias != null) {
                    rest.add("--" + alias + (eq >= 0 ? a.substring(eq) : ""));
                } else if (eq >= 0) {
                    options.set(name, a.substring(eq + 1));
                } else if (i + 1 < all.size()) {
                    options.set(name, all.get(++i));
                } else {
                    throw new ParameterException(spec.commandLine(), "--" + name + " needs a value");
                }
            }
            for (int i = rest.size() - 1; i >= 0; i--) {
                args.push(rest.get(i));
            }
            return false;
        }

        private static String aliasOf(String dotted) {
            return ConfigLoader.ALIASES.entrySet().stream().filter(e -> e.getValue().equals(dotted))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
        }
    }
}
