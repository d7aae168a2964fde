package dev.airlock.proxy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.NpmRegistryDetector;
import dev.airlock.config.StoreConfig;
import dev.airlock.proxy.cli.CliContext;
import dev.airlock.proxy.cli.ConfigOptions;
import dev.airlock.proxy.cli.ConfiguredCommand;
import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock worker}: an analysis-only node of a shared deployment. It takes the same
 * configuration as {@code serve} (it fetches what it analyses from the same upstreams, through the
 * shared artifact store), needs {@code store.url}, runs the sandbox where a container engine is,
 * and answers only {@code /healthz} and {@code /metrics} on its port.
 */
@Command(name = "worker", modelTransformer = ConfigOptions.Flags.class, preprocessor = ConfigOptions.DottedKeys.class,
        sortOptions = false,
        description = "Analyse the versions the proxies of a shared store queue (needs --store.url postgresql://...);"
                + " /healthz and /metrics on --port.",
        footer = {"  --<section>.<key> VALUE   any configuration key, e.g. --store.url postgresql://host/db",
                "Every flag is also a YAML key (--config) and an AIRLOCK_<FLAG> environment variable."})
public final class WorkerCommand extends ConfiguredCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    WorkerCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    public Integer call() {
        AirlockConfig config = config();
        if (!config.store().shared()) {
            throw new ConfigException("needs the shared store: --store.url postgresql://host/database");
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
            PrintStream out = ctx.out();
            out.println("Airlock worker on " + config.bind() + ":" + airlock.port() + " (/healthz, /metrics)");
            out.println("  store:         " + StoreConfig.redacted(config.store().url()));
            out.println("  artifacts:     " + (config.artifacts().shared() ? config.artifacts().url() : config.dataDir()));
            airlock.firewall().ifPresent(f -> out.println("  sandbox:       " + f.sandbox().status()));
            out.flush();
            stopped.await();
            return 0;
        } catch (Exception e) {
            ctx.err().println("airlock worker: cannot start: " + e.getMessage());
            return 1;
        }
    }
}
