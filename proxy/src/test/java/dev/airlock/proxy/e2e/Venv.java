package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh, empty virtual environment, isolated from this machine's pip configuration. It is made
 * without pip ({@code --without-pip} takes a fraction of a second instead of seconds for
 * ensurepip) and the real pip of one shared venv installs into it with {@code pip --python}.
 */
record Venv(Path dir, Map<String, String> env) {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PIP_TIMEOUT = Duration.ofSeconds(120);

    static Venv create(Path python, Path workDir) throws IOException, InterruptedException {
        Path home = Files.createDirectories(workDir.resolve("home"));
        Map<String, String> env = Clients.pipEnvironment(home);
        Path dir = workDir.resolve("venv");
        ClientProcess.Result r = ClientProcess.run(List.of(python.toString(), "-m", "venv", "--without-pip",
                dir.toString()), workDir, env, CREATE_TIMEOUT);
        assertTrue(r.succeeded(), r::describe);
        env.put("VIRTUAL_ENV", dir.toString());
        env.put("PATH", dir.resolve("bin") + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
        return new Venv(dir, env);
    }

    /** {@code python -m pip install --no-cache-dir --index-url <index> <args...>}. */
    ClientProcess.Result pipInstall(String indexUrl, String... args) throws IOException, InterruptedException {
        return pipInstall(Clients.pip(), indexUrl, args);
    }

    /** The same with the pip of another host interpreter (e.g. {@link Clients#pip26()}). */
    ClientProcess.Result pipInstall(Path pipHost, String indexUrl, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(pipHost.toString(), "-m", "pip", "--python",
                python().toString(), "install", "--no-cache-dir",
                "--disable-pip-version-check", "--no-input", "--retries", "0", "--timeout", "30",
                "--index-url", indexUrl));
        cmd.addAll(List.of(args));
        return ClientProcess.run(cmd, dir, env, PIP_TIMEOUT);
    }

    /** Runs a snippet with the venv's interpreter and returns what it printed, trimmed. */
    String eval(String code) throws IOException, InterruptedException {
        ClientProcess.Result r = ClientProcess.run(List.of(python().toString(), "-c", code), dir, env,
                Duration.ofSeconds(30));
        assertTrue(r.succeeded(), r::describe);
        return r.output().strip();
    }

    /** The installed distribution's {@code .dist-info} directory for this version, if installed. */
    Path distInfo(String module, String version) throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("lib"), 3)) {
            return s.filter(p -> p.getFileName().toString().equals(module + "-" + version + ".dist-info"))
                    .findFirst().orElseThrow(() -> new AssertionError(module + " " + version + " is not installed"));
        }
    }

    Path python() {
        return dir.resolve("bin").resolve("python");
    }
}
