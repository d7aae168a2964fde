package dev.airlock.sandbox;

import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.SandboxConfig;
import java.io.IOException;
import java.util.List;

/**
 * {@code bin/airlock sandbox <build-image|status>}: exit 0 done, 1 failed, 2 usage. Accepts the usual
 * configuration ({@code --config FILE}, {@code --sandbox.runtime runsc}, ...).
 */
public final class SandboxCommand {
    private static final String USAGE = String.join("\n",
            "usage: airlock sandbox <command> [--config FILE] [--sandbox.runtime auto|runc|runsc] [--sandbox.image TAG]",
            "  build-image [--rebuild]  build the sandbox image from Debian packages (reuses the cached root",
            "                           filesystem; --rebuild re-imports even when the image exists)",
            "  status                   say whether a Docker engine is reachable and the sandbox can run");

    private SandboxCommand() {
    }

    public static int run(String[] args) {
        SandboxConfig config;
        List<String> rest;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(args, System.getenv());
            config = loaded.config().sandbox();
            rest = loaded.rest();
        } catch (ConfigException e) {
            System.err.println("airlock sandbox: " + e.getMessage());
            return 2;
        }
        if (rest.isEmpty()) {
            System.err.println(USAGE);
            return 2;
        }
        String command = rest.get(0);
        List<String> options = rest.subList(1, rest.size());
        switch (command) {
            case "status":
                if (!options.isEmpty()) {
                    return usage("status takes no arguments");
                }
                try (DockerSandbox sandbox = DockerSandbox.create(config)) {
                    System.out.println(sandbox.status());
                    return sandbox.available() ? 0 : 1;
                }
            case "build-image":
                boolean rebuild = options.contains("--rebuild");
                if (options.size() > (rebuild ? 1 : 0)) {
                    return usage("unknown option for build-image: " + options);
                }
                return buildImage(config, rebuild);
            case "-h":
            case "--help":
                System.out.println(USAGE);
                return 0;
            default:
                return usage("unknown command '" + command + "'");
        }
    }

    private static int buildImage(SandboxConfig config, boolean rebuild) {
        try (DockerSandbox sandbox = DockerSandbox.create(config)) {
            if (!sandbox.available()) {
                System.err.println(sandbox.status());
                return 1;
            }
            System.out.println(sandbox.buildImage(rebuild));
            return 0;
        } catch (IOException | SandboxUnavailableException | IllegalArgumentException e) {
            System.err.println("airlock sandbox build-image failed: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(String problem) {
        System.err.println("airlock sandbox: " + problem + "\n" + USAGE);
        return 2;
    }
}
