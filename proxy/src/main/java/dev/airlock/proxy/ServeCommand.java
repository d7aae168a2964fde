package dev.airlock.proxy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.NpmRegistryDetector;
import java.net.URI;
import java.util.concurrent.CountDownLatch;

/** {@code airlock serve}: loads configuration, starts everything, prints where clients point, waits. */
final class ServeCommand {
    private ServeCommand() {
    }

    static int run(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(String.join("\n",
                        "usage: airlock serve [--config FILE] [--port N] [--bind ADDR] [--data-dir DIR]",
                        "                     [--public-url URL] [--pypi-upstream URL] [--pypi-file-hosts H,H]",
                        "                     [--npm-upstream URL] [--admin-token T] [--log-format text|json]",
                        "                     [--tls-cert PEM --tls-key PEM]   (= --server.tls.cert / --server.tls.key)",
                        "                     [--<section>.<key> VALUE ...]",
                        "Every flag is also a YAML key (--config) and an AIRLOCK_<FLAG> environment variable."));
                return 0;
            }
        }
        AirlockConfig config;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(args, System.getenv());
            if (!loaded.rest().isEmpty()) {
                System.err.println("airlock serve: unknown arguments " + loaded.rest() + " (see --help)");
                return 2;
            }
            config = loaded.config();
        } catch (ConfigException e) {
            System.err.println("airlock serve: " + e.getMessage());
            return 2;
        }
        if (config.npmUpstream() == null) {
            URI detected = NpmRegistryDetector.detect().orElse(null);
            if (detected != null) {
                config = config.withNpmUpstream(detected);
            }
        }
        try {
            Airlock airlock = Airlock.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                airlock.close();
                stopped.countDown();
            }, "airlock-shutdown"));
            printBanner(airlock);
            stopped.await();
            return 0;
        } catch (Exception e) {
            System.err.println("airlock serve: cannot start: " + e.getMessage());
            return 1;
        }
    }

    private static void printBanner(Airlock airlock) {
        AirlockConfig c = airlock.config();
        String base = c.publicUrl() != null ? c.publicUrl().toString()
                : (c.server().tls().enabled() ? "https" : "http") + "://" + ("0.0.0.0".equals(c.bind()) ? "127.0.0.1" : c.bind()) + ":" + airlock.port() + "/";
        System.out.println("Airlock listening on " + c.bind() + ":" + airlock.port());
        System.out.println("  pip/uv index:  " + base + "pypi/simple/   (upstream " + c.pypiUpstream() + ")");
        if (c.npmUpstream() != null) {
            System.out.println("  npm registry:  " + base + "npm/   (upstream " + c.npmUpstream() + ")");
        } else {
            System.out.println("  npm registry:  off (no --npm-upstream and no npm on this host)");
        }
        System.out.println("  data:          " + c.dataDir().toAbsolutePath());
        if (c.store().shared()) {
            System.out.println("  shared store:  " + dev.airlock.config.StoreConfig.redacted(c.store().url())
                    + (c.analysis().enabled() ? " (this node also analyses)" : " (analysis on the workers)"));
        }
        if (c.artifacts().shared()) {
            System.out.println("  artifacts:     " + c.artifacts().url() + " (cached in the data directory)");
        }
        airlock.firewall().ifPresent(f -> {
            System.out.println("  admin UI/API:  " + base + "ui/   " + base + "api/v1/");
            f.engine().adminTokenFile().ifPresentOrElse(
                    p -> System.out.println("  admin token:   in " + p.toAbsolutePath() + " (mode 0600)"),
                    () -> System.out.println("  admin token:   as configured (--admin-token / AIRLOCK_ADMIN_TOKEN)"));
            System.out.println("  sandbox:       " + f.sandbox().status());
            if (f.sandboxWarning() != null) {
                System.out.println("  WARNING:       " + f.sandboxWarning());
            }
            if (!f.sandbox().available() && c.analysis().enabled()) {
                System.out.println("  WARNING:       " + Firewall.newVersionsLine(false, c.analysis().requireSandbox()));
            }
            System.out.println("  policy:        mode " + c.policy().mode() + ", hold versions newer than " + c.policy().holdNewerThan());
        });
        System.out.flush();
    }
}
