package dev.airlock.proxy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.NpmRegistryDetector;
import dev.airlock.config.StoreConfig;
import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * {@code airlock worker}: an analysis-only node of a shared deployment. It takes the same
 * configuration as {@code serve} (it fetches what it analyses from the same upstreams, through the
 * shared artifact store), needs {@code store.url}, runs the sandbox where a container engine is,
 * and answers only {@code /healthz} and {@code /metrics} on its port.
 */
final class WorkerCommand {
    private WorkerCommand() {
    }

    static int run(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(String.join("\n",
                        "usage: airlock worker --store.url postgresql://... [--artifacts.url s3://bucket/prefix] [serve's options]",
                        "Analyses the versions the proxies of the shared store queue; /healthz and /metrics on --port.",
                        "Every flag is also a YAML key (--config) and an AIRLOCK_<FLAG> environment variable."));
                return 0;
            }
        }
        AirlockConfig config;
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(args, System.getenv());
            if (!loaded.rest().isEmpty()) {
                System.err.println("airlock worker: unknown arguments " + loaded.rest() + " (see --help)");
                return 2;
            }
            config = loaded.config();
            if (!config.store().shared()) {
                System.err.println("airlock worker: needs the shared store: --store.url postgresql://host/database");
                return 2;
            }
        } catch (ConfigException e) {
            System.err.println("airlock worker: " + e.getMessage());
            return 2;
        }
        if (config.npmUpstream() == null) {
            URI detected = NpmRegistryDetector.detect().orElse(null);
            if (detected != null) {
                config = config.withNpmUpstream(detected);
            }
        }
        try {
            Airlock airlock = Airlock.startWorker(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                airlock.close();
                stopped.countDown();
            }, "airlock-shutdown"));
            System.out.println("Airlock worker on " + config.bind() + ":" + airlock.port() + " (/healthz, /metrics)");
            System.out.println("  store:         " + StoreConfig.redacted(config.store().url()));
            System.out.println("  artifacts:     " + (config.artifacts().shared() ? config.artifacts().url() : config.dataDir()));
            airlock.firewall().ifPresent(f -> System.out.println("  sandbox:       " + f.sandbox().status()));
            System.out.flush();
            stopped.await();
            return 0;
        } catch (Exception e) {
            System.err.println("airlock worker: cannot start: " + e.getMessage());
            return 1;
        }
    }
}
