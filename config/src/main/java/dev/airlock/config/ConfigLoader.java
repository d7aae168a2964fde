package dev.airlock.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.airlock.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an {@link AirlockConfig} from, in increasing precedence: embedded defaults, the YAML file
 * named by {@code --config} (or {@code AIRLOCK_CONFIG}), {@code AIRLOCK_<FLAG>} environment
 * variables, and command-line flags. Unknown keys are errors, so a typo never silently falls back
 * to a default.
 */
public final class ConfigLoader {
    /** Flags that are also top-level YAML keys and environment variables. */
    public static final List<String> FLAGS = List.of("port", "bind", "data-dir", "public-url", "pypi-upstream",
            "pypi-file-hosts", "npm-upstream", "admin-token", "log-format");
    private static final List<String> LIST_KEYS = List.of("pypiFileHosts", "trustedProxies", "noProxy");
    /** Maps whose keys are names, not configuration keys: never camel-cased. */
    private static final List<String> RAW_KEY_MAPS = List.of("tokens");
    /** Short flags that stand for a dotted key ({@code --tls-cert F} is {@code --server.tls.cert F}). */
    public static final Map<String, String> ALIASES = Map.of("tls-cert", "server.tls.cert", "tls-key", "server.tls.key");

    private ConfigLoader() {
    }

    /** The result: the configuration and the arguments that were not configuration flags. */
    public record Loaded(AirlockConfig config, List<String> rest) {
    }

    public static ObjectMapper mapper() {
        SimpleModule durations = new SimpleModule("airlock-durations");
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken().isNumeric()) {
                    return Duration.ofSeconds(p.getLongValue());
                }
                String text = p.getValueAsString();
                return text == null || text.isBlank() || text.equals("off") ? null : Durations.parse(text);
            }
        });
        durations.addDeserializer(java.time.Instant.class, new JsonDeserializer<>() {
            @Override
            public java.time.Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                return text == null || text.isBlank() || text.equals("off") ? null : Instants.parse(text);
            }
        });
        // The shared configuration, but strict: a misspelt key is an error, not a silent default.
        return Json.newMapper(new YAMLFactory())
                .registerModule(durations)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, true);
    }

    /**
     * Splits {@code args} into configuration flags and the rest, then loads as {@link #load(String,
     * Map, Map)} does. The command line itself is parsed by picocli in the proxy's {@code cli}
     * package; this form serves tests and tools that hold arguments as an array.
     */
    public static Loaded load(String[] args, Map<String, String> env) {
        List<String> rest = new ArrayList<>();
        Map<String, String> flags = new LinkedHashMap<>();
        String configFile = null;
        List<String> argList = Arrays.asList(args);
        for (int i = 0; i < argList.size(); i++) {
            String a = argList.get(i);
            if (!a.startsWith("--") || a.equals("--")) {
                rest.add(a);
                continue;
            }
            String key = a.substring(2);
            String value = null;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            boolean known = key.equals("config") || isConfigurationFlag(key);
            if (!known) {
                rest.add(a);
                continue;
            }
            if (value == null) {
                if (i + 1 >= argList.size()) {
                    throw new ConfigException("--" + key + " needs a value");
                }
                value = argList.get(++i);
            }
            if (key.equals("config")) {
                configFile = value;
            } else {
                flags.put(ALIASES.getOrDefault(key, key), value);
            }
        }
        return new Loaded(load(configFile, flags, env), rest);
    }

    /** True for a flag that sets a configuration key: a top-level flag, an alias or a dotted key. */
    public static boolean isConfigurationFlag(String name) {
        return FLAGS.contains(name) || ALIASES.containsKey(name) || name.contains(".");
    }

    /**
     * The configuration from the YAML file (null: {@code AIRLOCK_CONFIG}, or none), the
     * environment, and {@code flags} (flag or dotted key without the dashes, to value; aliases
     * allowed; later entries win), in that increasing precedence.
     */
    public static AirlockConfig load(String configFile, Map<String, String> flags, Map<String, String> env) {
        Map<String, Object> tree = new LinkedHashMap<>();
        String file = configFile != null ? configFile : env.get("AIRLOCK_CONFIG");
        if (file != null) {
            mergeInto(tree, readYaml(Path.of(file)));
        }
        for (String flag : FLAGS) {
            String v = env.get("AIRLOCK_" + flag.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (v != null && !v.isEmpty()) {
                put(tree, flag, v);
            }
        }
        ALIASES.forEach((flag, dotted) -> {
            String v = env.get("AIRLOCK_" + flag.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (v != null && !v.isEmpty()) {
                put(tree, dotted, v);
            }
        });
        flags.forEach((k, v) -> put(tree, ALIASES.getOrDefault(k, k), v));
        return bind(tree);
    }

    /** Reads just a YAML file (no flags or environment), e.g. for tests and tools. */
    public static AirlockConfig fromYaml(Path file) {
        return bind(readYaml(file));
    }

    private static AirlockConfig bind(Map<String, Object> tree) {
        try {
            return mapper().convertValue(tree, AirlockConfig.class);
        } catch (IllegalArgumentException e) {
            Throwable c = e.getCause();
            if (c instanceof UnrecognizedPropertyException u) {
                throw new ConfigException("unknown configuration key '" + u.getPropertyName() + "' at "
                        + u.getPathReference().replace("dev.airlock.config.", ""), e);
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new ConfigException("invalid configuration: " + root.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object o = mapper().readValue(in, Object.class);
            if (o == null) {
                return new LinkedHashMap<>();
            }
            if (!(o instanceof Map)) {
                throw new ConfigException(file + ": expected a mapping at the top level");
            }
            return (Map<String, Object>) camelKeys(o, false);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * YAML may use kebab-case ({@code data-dir}) or camelCase ({@code dataDir}); records use camelCase.
     * The keys of a map of names ({@code clients.tokens}: {@code ci-web: ...}) are data and stay as written.
     */
    private static Object camelKeys(Object o, boolean rawKeys) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                String key = rawKeys ? String.valueOf(k) : camel(String.valueOf(k));
                out.put(key, camelKeys(v, !rawKeys && RAW_KEY_MAPS.contains(key)));
            });
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(camelKeys(x, false)));
            return out;
        }
        return o;
    }

    static String camel(String key) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : key.toCharArray()) {
            if (c == '-' || c == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    /** Puts {@code a.b-c=v} into the tree as {@code {a: {bC: v}}}. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        Map<String, Object> node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            String key = i > 0 && RAW_KEY_MAPS.contains(camel(parts[i - 1])) ? parts[i] : camel(parts[i]);
            Object child = node.get(key);
            if (!(child instanceof Map)) {
                child = new LinkedHashMap<String, Object>();
                node.put(key, child);
            }
            node = (Map<String, Object>) child;
        }
        String last = parts[parts.length - 1];
        String leaf = parts.length > 1 && RAW_KEY_MAPS.contains(camel(parts[parts.length - 2])) ? last : camel(last);
        node.put(leaf, LIST_KEYS.contains(leaf) ? splitList(value) : value);
    }

    private static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> into, Map<String, Object> from) {
        from.forEach((k, v) -> {
            Object existing = into.get(k);
            if (existing instanceof Map && v instanceof Map) {
                mergeInto((Map<String, Object>) existing, (Map<String, Object>) v);
            } else {
                into.put(k, v);
            }
        });
    }
}
