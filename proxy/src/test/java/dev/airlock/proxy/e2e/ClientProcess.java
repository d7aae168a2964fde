package dev.airlock.proxy.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one real client command (pip, npm, pnpm, yarn) with a clean environment and a hard time
 * limit. Output goes to a file, not a pipe, so a chatty client can never block on a full buffer.
 */
final class ClientProcess {
    /** Variables that would point a client at this machine's own configuration or proxies. */
    private static final List<String> DROPPED_PREFIXES = List.of("pip_", "npm_config_", "yarn_", "pnpm_",
            "corepack_", "uv_", "python", "virtual_env", "http_proxy", "https_proxy", "all_proxy", "no_proxy",
            "node_options",
            // requests lets these override pip's own --cert (requests issue 3829): a test's CA would be ignored.
            "requests_ca_bundle", "curl_ca_bundle");

    /** What the command printed (stdout and stderr interleaved) and how it ended. */
    record Result(List<String> command, int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }

        /** A failure message that shows what the client said. */
        String describe() {
            return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
        }
    }

    private ClientProcess() {
    }

    /**
     * An environment for client processes: this machine's variables minus client configuration,
     * with {@code HOME} and the XDG directories in {@code home} so no user config file is read.
     */
    static Map<String, String> cleanEnvironment(Path home) throws IOException {
        Map<String, String> env = new java.util.HashMap<>();
        System.getenv().forEach((k, v) -> {
            String lower = k.toLowerCase(Locale.ROOT);
            if (DROPPED_PREFIXES.stream().noneMatch(lower::startsWith)) {
                env.put(k, v);
            }
        });
        for (String dir : List.of(".config", ".cache", ".local/share")) {
            Files.createDirectories(home.resolve(dir));
        }
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("NO_PROXY", "127.0.0.1,localhost,::1");
        env.put("no_proxy", "127.0.0.1,localhost,::1");
        env.put("CI", "true");
        env.put("NO_COLOR", "1");
        env.put("FORCE_COLOR", "0");
        return env;
    }

    static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("airlock-e2e-client", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return new Result(command, -1, "timed out after " + timeout + "\n" + read(log));
            }
            return new Result(command, p.exitValue(), read(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Lenient decoding: a client printing odd bytes must not hide its message behind a decoder error. */
    private static String read(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    /** The absolute path of an executable on {@code PATH}, if any. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir).resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
