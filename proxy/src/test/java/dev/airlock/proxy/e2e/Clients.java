package dev.airlock.proxy.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the real clients on this machine once. The Python interpreter is resolved to its real
 * executable so that a version-manager shim keeps working after the tests change {@code HOME}.
 */
final class Clients {
    private static final Optional<Path> PYTHON = resolvePython();
    private static Path pipHost;

    private Clients() {
    }

    /** A python3 whose {@code -m venv} can create a virtual environment with pip. */
    static Optional<Path> python() {
        return PYTHON;
    }

    /**
     * The interpreter of one venv with a real pip, created on first use and removed when the JVM
     * exits; tests run its pip with {@code --python} against their own empty venvs.
     */
    static synchronized Path pip() throws java.io.IOException, InterruptedException {
        if (pipHost == null) {
            Path dir = Files.createTempDirectory("airlock-e2e-pip");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            ClientProcess.Result r = ClientProcess.run(List.of(PYTHON.orElseThrow().toString(), "-m", "venv",
                    dir.resolve("venv").toString()), dir, pipEnvironment(Files.createDirectories(dir.resolve("home"))),
                    Duration.ofSeconds(120));
            if (!r.succeeded()) {
                throw new IllegalStateException("cannot create the venv that hosts pip: " + r.describe());
            }
            pipHost = dir.resolve("venv").resolve("bin").resolve("python");
        }
        return pipHost;
    }

    private static Path pip26Host;

    /**
     * The interpreter of a venv whose pip is 26 or newer ({@code --uploaded-prior-to}), upgraded
     * from the package index this machine's own pip configuration names (the local PyPI mirror
     * carries a pip 26 wheel); the test needing it fails when that index has none.
     */
    static synchronized Path pip26() throws java.io.IOException, InterruptedException {
        if (pip26Host == null) {
            Path dir = Files.createTempDirectory("airlock-e2e-pip26");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.remove("PIP_REQUIRE_VIRTUALENV");
            ClientProcess.Result r = ClientProcess.run(List.of(PYTHON.orElseThrow().toString(), "-m", "venv",
                    dir.resolve("venv").toString()), dir, env, Duration.ofSeconds(120));
            Path python = dir.resolve("venv").resolve("bin").resolve("python");
            if (r.succeeded()) {
                r = ClientProcess.run(List.of(python.toString(), "-m", "pip", "install", "--disable-pip-version-check",
                        "--no-input", "--retries", "0", "--timeout", "20", "pip>=26"), dir, env, Duration.ofSeconds(180));
            }
            if (!r.succeeded()) {
                throw new IllegalStateException("cannot install pip 26 from this machine's configured index: " + r.describe());
            }
            pip26Host = python;
        }
        return pip26Host;
    }

    private static void deleteQuietly(Path root) {
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // A leftover temp dir is harmless; the JVM is exiting.
        }
    }

    static Optional<Path> npm() {
        return ClientProcess.onPath("npm");
    }

    static Optional<Path> pnpm() {
        return ClientProcess.onPath("pnpm");
    }

    static Optional<Path> yarn() {
        return ClientProcess.onPath("yarn");
    }

    private static Optional<Path> resolvePython() {
        Optional<Path> onPath = ClientProcess.onPath("python3");
        if (onPath.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path tmp = Files.createTempDirectory("airlock-e2e-python");
            try {
                ClientProcess.Result r = ClientProcess.run(List.of(onPath.get().toString(), "-c",
                                "import ensurepip, sys, venv; print(sys.executable)"),
                        tmp, System.getenv(), Duration.ofSeconds(30));
                if (!r.succeeded()) {
                    return Optional.empty();
                }
                String[] lines = r.output().strip().split("\n");
                Path exe = Path.of(lines[lines.length - 1].strip());
                return Files.isExecutable(exe) ? Optional.of(exe) : Optional.empty();
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Environment for pip: no configuration file, no version check, no prompts. */
    static Map<String, String> pipEnvironment(Path home) throws java.io.IOException {
        Map<String, String> env = ClientProcess.cleanEnvironment(home);
        env.put("PIP_CONFIG_FILE", "/dev/null");
        env.put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        env.put("PIP_NO_INPUT", "1");
        env.put("PIP_NO_CACHE_DIR", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        return env;
    }
}
