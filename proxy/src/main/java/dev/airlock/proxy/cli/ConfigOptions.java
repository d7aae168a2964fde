package dev.airlock.proxy.cli;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The configuration flags of the commands that read Airlock's configuration ({@code serve},
 * {@code sandbox}): {@code --config FILE}, the top-level flags, their aliases, and any key as a
 * dotted flag ({@code --policy.mode audit}, {@code --upstream.retries=4}). Values are checked by
 * {@link ConfigLoader}, which also merges the YAML file and the {@code AIRLOCK_*} environment.
 *
 * <p>A command using it declares {@code @Mixin ConfigOptions} and {@code preprocessor =
 * ConfigOptions.DottedKeys.class}: picocli has no option for a family of names, so dotted keys are
 * taken out of the arguments before picocli parses the rest.
 */
public final class ConfigOptions {
    private final Map<String, String> flags = new LinkedHashMap<>();
    private String configFile;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "a YAML configuration file (or $AIRLOCK_CONFIG)")
    void config(String file) {
        configFile = file;
    }

    @Option(names = "--port", paramLabel = "N", scope = ScopeType.INHERIT, description = "listening port (8080; 0 picks one)")
    void port(String v) {
        set("port", v);
    }

    @Option(names = "--bind", paramLabel = "ADDR", scope = ScopeType.INHERIT, description = "listening address (0.0.0.0)")
    void bind(String v) {
        set("bind", v);
    }

    @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT, description = "verdicts, artifacts and the admin token")
    void dataDir(String v) {
        set("data-dir", v);
    }

    @Option(names = "--public-url", paramLabel = "URL", scope = ScopeType.INHERIT, description = "the URL clients reach Airlock at")
    void publicUrl(String v) {
        set("public-url", v);
    }

    @Option(names = "--pypi-upstream", paramLabel = "URL", scope = ScopeType.INHERIT, description = "upstream simple index")
    void pypiUpstream(String v) {
        set("pypi-upstream", v);
    }

    @Option(names = "--pypi-file-hosts", paramLabel = "H,H", scope = ScopeType.INHERIT, description = "other hosts PyPI file URLs may name")
    void pypiFileHosts(String v) {
        set("pypi-file-hosts", v);
    }

    @Option(names = "--npm-upstream", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "upstream npm registry (default: what npm on this host uses)")
    void npmUpstream(String v) {
        set("npm-upstream", v);
    }

    @Option(names = "--admin-token", paramLabel = "T", scope = ScopeType.INHERIT, description = "admin API token")
    void adminToken(String v) {
        set("admin-token", v);
    }

    @Option(names = "--log-format", paramLabel = "text|json", scope = ScopeType.INHERIT, description = "access log format")
    void logFormat(String v) {
        set("log-format", v);
    }

    @Option(names = "--tls-cert", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "= --server.tls.cert")
    void tlsCert(String v) {
        set("tls-cert", v);
    }

    @Option(names = "--tls-key", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "= --server.tls.key")
    void tlsKey(String v) {
        set("tls-key", v);
    }

    private void set(String flag, String value) {
        String key = ConfigLoader.ALIASES.getOrDefault(flag, flag);
        // The last of repeated flags wins, also across a flag and its dotted name.
        flags.remove(key);
        flags.put(key, value);
    }

    /** The configuration these flags, the file and {@code env} make. */
    public AirlockConfig load(Map<String, String> env) {
        return ConfigLoader.load(configFile, flags, env);
    }

    /** The flags as given, key to value (aliases resolved), for tests. */
    Map<String, String> flags() {
        return Map.copyOf(flags);
    }

    /**
     * Takes {@code --section.key VALUE} and {@code --section.key=VALUE} out of the arguments of
     * the command it is set on (wherever they stand, before or after a subcommand) into that
     * command's {@link ConfigOptions}.
     */
    public static final class DottedKeys implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
            ConfigOptions options = spec.mixins().values().stream()
                    .map(CommandSpec::userObject)
                    .filter(ConfigOptions.class::isInstance)
                    .map(ConfigOptions.class::cast)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(spec.qualifiedName() + " has no ConfigOptions mixin"));
            List<String> all = new ArrayList<>();
            while (!args.isEmpty()) {
                all.add(args.pop());
            }
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                String a = all.get(i);
                int eq = a.indexOf('=');
                String name = a.startsWith("--") ? a.substring(2, eq < 0 ? a.length() : eq) : "";
                if (a.equals("--")) {
                    rest.addAll(all.subList(i, all.size()));
                    break;
                }
                String alias = aliasOf(name);
                if (!name.contains(".")) {
                    rest.add(a);
                } else if (alias != null) {
                    // Parsed in place with its alias, so that of the two the later still wins.
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
