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

    private Clients() {
    }

    /** A python3 whose {@code -m venv} can create a virtual environment with pip. */
    static Optional<Path> python() {
        return PYTHON;
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
