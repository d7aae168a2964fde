package dev.airlock.proxy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.NpmRegistryDetector;
import dev.airlock.proxy.cli.CliContext;
import dev.airlock.proxy.cli.ConfigOptions;
import dev.airlock.proxy.cli.ConfiguredCommand;
import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock serve}: loads configuration, starts everything, prints where clients point, waits. */
@Command(name = "serve", modelTransformer = ConfigOptions.Flags.class, preprocessor = ConfigOptions.DottedKeys.class,
        sortOptions = false,
        description = "Run the proxy.",
        footer = {"  --<section>.<key> VALUE   any configuration key, e.g. --policy.mode audit",
                "Every flag is also a YAML key (--config) and an AIRLOCK_<FLAG> environment variable."})
public final class ServeCommand extends ConfiguredCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
    boolean help;

    ServeCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    public Integer call() {
        AirlockConfig config = config();
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
            ctx.err().println("airlock serve: cannot start: " + e.getMessage());
            return 1;
        }
    }

    private void printBanner(Airlock airlock) {
        PrintStream out = ctx.out();
        AirlockConfig c = airlock.config();
        String base = c.publicUrl() != null ? c.publicUrl().toString()
                : (c.server().tls().enabled() ? "https" : "http") + "://" + ("0.0.0.0".equals(c.bind()) ? "127.0.0.1" : c.bind()) + ":" + airlock.port() + "/";
        out.println("Airlock listening on " + c.bind() + ":" + airlock.port());
        out.println("  pip/uv index:  " + base + "pypi/simple/   (upstream " + c.pypiUpstream() + ")");
        if (c.npmUpstream() != null) {
            out.println("  npm registry:  " + base + "npm/   (upstream " + c.npmUpstream() + ")");
        } else {
            out.println("  npm registry:  off (no --npm-upstream and no npm on this host)");
        }
        out.println("  data:          " + c.dataDir().toAbsolutePath());
        if (c.store().shared()) {
            out.println("  shared store:  " + dev.airlock.config.StoreConfig.redacted(c.store().url())
                    + (c.analysis().enabled() ? " (this node also analyses)" : " (analysis on the workers)"));
        }
        if (c.artifacts().shared()) {
            out.println("  artifacts:     " + c.artifacts().url() + " (cached in the data directory)");
        }
        airlock.firewall().ifPresent(f -> {
            out.println("  admin UI/API:  " + base + "ui/   " + base + "api/v1/");
            f.engine().adminTokenFile().ifPresentOrElse(
                    p -> out.println("  admin token:   in " + p.toAbsolutePath() + " (mode 0600)"),
                    () -> out.println("  admin token:   as configured (--admin-token / AIRLOCK_ADMIN_TOKEN)"));
            out.println("  sandbox:       " + f.sandbox().status());
            if (f.sandboxWarning() != null) {
                out.println("  WARNING:       " + f.sandboxWarning());
            }
            if (!f.sandbox().available() && c.analysis().enabled()) {
                out.println("  WARNING:       " + Firewall.newVersionsLine(false, c.analysis().requireSandbox()));
            }
            out.println("  policy:        mode " + c.policy().mode() + ", hold versions newer than " + c.policy().holdNewerThan());
        });
        out.flush();
    }
}
