package dev.airlock.sandbox;

import dev.airlock.config.SandboxConfig;

/** {@code bin/airlock sandbox <build-image|status>}: exit 0 done, 1 failed, 2 usage. */
public final class SandboxCommand {
    private static final String USAGE = String.join("\n",
            "usage: airlock sandbox <command>",
            "  build-image   build the sandbox image from Debian packages (reuses the cached root filesystem)",
            "  status        say whether a Docker engine is reachable and the image is present");

    private SandboxCommand() {
    }

    public static int run(String[] args) {
        if (args.length != 1) {
            System.err.println(USAGE);
            return 2;
        }
        switch (args[0]) {
            case "status":
                try (DockerSandbox sandbox = DockerSandbox.create(SandboxConfig.defaults())) {
                    System.out.println(sandbox.status());
                    return sandbox.available() ? 0 : 1;
                }
            case "-h":
            case "--help":
                System.out.println(USAGE);
                return 0;
            default:
                System.err.println("airlock sandbox: unknown command '" + args[0] + "'\n" + USAGE);
                return 2;
        }
    }
}
