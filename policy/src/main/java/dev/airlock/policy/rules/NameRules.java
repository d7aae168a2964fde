package dev.airlock.policy.rules;

import dev.airlock.config.ConfigException;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageNames;
import dev.airlock.policy.version.VersionMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured deny list, allow list and internal names, compiled once from the policy
 * section. A bad pattern or range is a startup error that names the entry, never a silent no-op.
 */
public final class NameRules {
    private final List<CompiledRule> deny;
    private final List<CompiledRule> allow;
    private final List<String> npmScopes;
    private final Map<Ecosystem, List<GlobPattern>> internalNames;

    private NameRules(List<CompiledRule> deny, List<CompiledRule> allow, List<String> npmScopes,
                      Map<Ecosystem, List<GlobPattern>> internalNames) {
        this.deny = deny;
        this.allow = allow;
        this.npmScopes = npmScopes;
        this.internalNames = internalNames;
    }

    public static NameRules from(PolicyConfig policy) {
        List<String> scopes = new ArrayList<>();
        for (String s : policy.internal().npmScopes()) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.endsWith("/")) {
                t = t.substring(0, t.length() - 1);
            }
            if (!t.startsWith("@")) {
                t = "@" + t;
            }
            if (t.length() < 2 || t.contains("/")) {
                throw new ConfigException("policy.internal.npmScopes: '" + s + "' is not an npm scope like @acme");
            }
            scopes.add(t + "/");
        }
        Map<Ecosystem, List<GlobPattern>> internal = new java.util.EnumMap<>(Ecosystem.class);
        for (Map.Entry<String, List<String>> e : policy.internal().names().entrySet()) {
            Ecosystem eco = ecosystem(e.getKey(), "policy.internal.names");
            List<GlobPattern> globs = new ArrayList<>();
            for (String g : e.getValue() == null ? List.<String>of() : e.getValue()) {
                globs.add(GlobPattern.compile(normaliseGlob(eco, g)));
            }
            internal.put(eco, List.copyOf(globs));
        }
        return new NameRules(compile(policy.deny(), "policy.deny"), compile(policy.allow(), "policy.allow"),
                List.copyOf(scopes), internal);
    }

    private static List<CompiledRule> compile(List<PolicyConfig.Rule> rules, String key) {
        List<CompiledRule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            PolicyConfig.Rule r = rules.get(i);
            String where = key + "[" + i + "]";
            Ecosystem eco = ecosystem(r.ecosystem(), where + ".ecosystem");
            if (r.name() == null || r.name().isBlank()) {
                throw new ConfigException(where + ".name is required");
            }
            VersionMatcher versions;
            try {
                versions = VersionMatcher.parse(eco, r.versions());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ".versions: " + e.getMessage());
            }
            out.add(new CompiledRule(eco, GlobPattern.compile(normaliseGlob(eco, r.name())), r.versions(), versions,
                    r.reason()));
        }
        return List.copyOf(out);
    }

    private static Ecosystem ecosystem(String text, String where) {
        try {
            return Ecosystem.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    /** Patterns are compared with normalised names, so they are normalised the same way (wildcards kept). */
    private static String normaliseGlob(Ecosystem eco, String glob) {
        String g = glob.trim().toLowerCase(Locale.ROOT);
        return eco == Ecosystem.PYPI ? PackageNames.normalizePypi(g) : g;
    }

    public Optional<CompiledRule> denied(PackageCoordinate c) {
        return first(deny, c);
    }

    public Optional<CompiledRule> allowed(PackageCoordinate c) {
        return first(allow, c);
    }

    /** The internal-name entry the package matches: a scope like {@code @acme} or a name pattern. */
    public Optional<String> internal(PackageCoordinate c) {
        if (c.ecosystem() == Ecosystem.NPM) {
            for (String s : npmScopes) {
                if (c.name().startsWith(s)) {
                    return Optional.of(s.substring(0, s.length() - 1));
                }
            }
        }
        for (GlobPattern g : internalNames.getOrDefault(c.ecosystem(), List.of())) {
            if (g.matches(c.name())) {
                return Optional.of(g.toString());
            }
        }
        return Optional.empty();
    }

    private static Optional<CompiledRule> first(List<CompiledRule> rules, PackageCoordinate c) {
        for (CompiledRule r : rules) {
            if (r.ecosystem() == c.ecosystem() && r.name().matches(c.name()) && r.versions().matches(c.version())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** A deny or allow entry, ready to match. */
    public record CompiledRule(Ecosystem ecosystem, GlobPattern name, String versionText, VersionMatcher versions,
                               String reason) {
        public String describe() {
            return ecosystem.id() + ":" + name + (versionText == null ? "" : " " + versionText);
        }
    }
}
