package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway JavaScript project plus isolated client state (home, user config, caches, stores),
 * so npm, pnpm and Yarn run against the registry a test names and nothing this machine configured.
 */
final class NpmProject {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final Path state;
    private final Map<String, String> env;

    private NpmProject(Path dir, Path state, Map<String, String> env) {
        this.dir = dir;
        this.state = state;
        this.env = env;
    }

    static NpmProject create(Path work) throws IOException {
        return create(work, Map.of());
    }

    /** A project whose package.json declares these dependencies (name to range). */
    static NpmProject create(Path work, Map<String, String> dependencies) throws IOException {
        Path dir = Files.createDirectories(work.resolve("app"));
        Path state = Files.createDirectories(work.resolve("client-state"));
        var pkg = JSON.createObjectNode();
        pkg.put("name", "airlock-e2e-app");
        pkg.put("version", "1.0.0");
        pkg.put("private", true);
        var deps = pkg.putObject("dependencies");
        dependencies.forEach(deps::put);
        Files.writeString(dir.resolve("package.json"), pkg.toPrettyString());
        Files.writeString(state.resolve("npmrc"), "");
        Map<String, String> env = ClientProcess.cleanEnvironment(Files.createDirectories(state.resolve("home")));
        env.put("npm_config_cache", state.resolve("npm-cache").toString());
        env.put("npm_config_userconfig", state.resolve("npmrc").toString());
        env.put("npm_config_globalconfig", state.resolve("npmrc-global").toString());
        env.put("npm_config_update_notifier", "false");
        return new NpmProject(dir, state, env);
    }

    Path dir() {
        return dir;
    }

    /** Sets one more environment variable for every later client run of this project. */
    void environment(String name, String value) {
        env.put(name, value);
    }

    /** {@code npm <args> --registry <registry>} with scripts off and lockfile URLs kept. */
    ClientProcess.Result npm(String registry, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Clients.npm().orElseThrow().toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--registry", registry, "--ignore-scripts", "--omit-lockfile-registry-resolved=false",
                "--userconfig", state.resolve("npmrc").toString(), "--cache", state.resolve("npm-cache").toString(),
                "--no-audit", "--no-fund", "--fetch-retries=0", "--fetch-timeout=60000"));
        return ClientProcess.run(cmd, dir, env, TIMEOUT);
    }

    /** {@code pnpm install} against the registry, with its store and cache inside this project's state. */
    ClientProcess.Result pnpmInstall(String registry) throws IOException, InterruptedException {
        List<String> cmd = List.of(Clients.pnpm().orElseThrow().toString(), "install",
                "--registry=" + registry, "--ignore-scripts", "--reporter=append-only",
                "--store-dir=" + state.resolve("pnpm-store"), "--config.cache-dir=" + state.resolve("pnpm-cache"),
                "--config.fetch-retries=0", "--config.update-notifier=false");
        return ClientProcess.run(cmd, dir, env, TIMEOUT);
    }

    /** Yarn Berry: configured by a project {@code .yarnrc.yml}, the way its users do. */
    ClientProcess.Result yarnInstall(String registry) throws IOException, InterruptedException {
        return yarnInstall(registry, "");
    }

    /** Yarn Berry with extra {@code .yarnrc.yml} lines (e.g. {@code npmMinimalAgeGate}). */
    ClientProcess.Result yarnInstall(String registry, String extraSettings) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(".yarnrc.yml"), String.join("\n",
                "npmRegistryServer: \"" + registry.replaceAll("/$", "") + "\"",
                "unsafeHttpWhitelist:",
                "  - \"127.0.0.1\"",
                "enableGlobalCache: false",
                "cacheFolder: \"" + state.resolve("yarn-cache") + "\"",
                "nodeLinker: node-modules",
                "enableScripts: false",
                "enableTelemetry: false",
                "enableImmutableInstalls: false",
                "httpRetry: 0",
                extraSettings,
                ""));
        Files.writeString(dir.resolve("yarn.lock"), "");
        List<String> cmd = List.of(Clients.yarn().orElseThrow().toString(), "install", "--mode=skip-build");
        return ClientProcess.run(cmd, dir, env, TIMEOUT);
    }

    /** The version in {@code node_modules/<name>/package.json}. */
    String installedVersion(String name) throws IOException {
        Path manifest = dir.resolve("node_modules").resolve(name).resolve("package.json");
        if (!Files.exists(manifest)) {
            throw new AssertionError(name + " is not installed in " + dir);
        }
        return JSON.readTree(manifest.toFile()).path("version").asText();
    }

    JsonNode packageLock() throws IOException {
        return JSON.readTree(dir.resolve("package-lock.json").toFile());
    }

    String file(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    void deleteInstallState() throws IOException {
        deleteTree(dir.resolve("node_modules"));
        deleteTree(state.resolve("npm-cache"));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
