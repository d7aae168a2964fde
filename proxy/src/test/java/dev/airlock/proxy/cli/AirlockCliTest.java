package dev.airlock.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/** {@code bin/airlock}'s command line as picocli reads it: exit codes, messages and the configuration flags. */
class AirlockCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CliContext ctx = new CliContext(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), false);

    private int airlock(String... args) {
        out.reset();
        err.reset();
        return Cli.run(args, ctx);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandIsAUsageErrorAndHelpIsNot() {
        assertEquals(2, airlock());
        assertTrue(err().contains("client-config") && err().contains("serve"), err());
        assertEquals(0, airlock("--help"));
        assertTrue(err().contains("admin"), "airlock --help prints to stderr, as it always has: " + err());
    }

    @Test
    void anUnknownCommandIsNamedAndExitsTwo() {
        assertEquals(2, airlock("frobnicate"));
        assertTrue(err().startsWith("airlock: unknown command 'frobnicate'"), err());
    }

    @Test
    void everyCommandAnswersABadLineWithTwoAndItsOwnName() {
        assertEquals(2, airlock("sandbox"));
        assertTrue(err().contains("build-image") && err().contains("status"), err());
        assertEquals(2, airlock("sandbox", "status", "extra"));
        assertTrue(err().startsWith("airlock sandbox: "), err());
        assertEquals(2, airlock("sandbox", "build-image", "--config", "/nonexistent/airlock.yaml"));
        assertTrue(err().contains("cannot read configuration file"), err());
        assertEquals(2, airlock("analyze", "--bogus", "x.tgz"));
        assertTrue(err().startsWith("airlock analyze: "), err());
        assertEquals(2, airlock("client-config", "--url"));
        assertTrue(err().startsWith("airlock client-config: "), err());
        assertEquals(2, airlock("admin", "list", "--state", "sideways", "--token", "t"));
        assertTrue(err().startsWith("airlock admin: ") && err().contains("sideways"), err());
    }

    @Test
    void serveRefusesAnUnknownFlagAndABadValueBeforeStartingAnything() {
        assertEquals(2, airlock("serve", "--frobnicate", "1"));
        assertTrue(err().startsWith("airlock serve: Unknown option") && err().contains("'--frobnicate'"), err());
        assertEquals(2, airlock("serve", "--port", "70000"));
        assertTrue(err().contains("airlock serve: ") && err().contains("70000"), err());
        assertEquals(2, airlock("serve", "--policy.mode", "lenient"));
        assertTrue(err().contains("lenient"), err());
        assertEquals(2, airlock("serve", "--policy.mode"));
        assertTrue(err().contains("--policy.mode needs a value"), err());
        assertEquals(0, airlock("serve", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--tls-cert"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dottedKeysAndFlagsAreTakenBeforeAndAfterASubcommandAndTheLastOneWins() {
        Probe probe = new Probe();
        CommandLine cl = Cli.commandLine(probe, ctx);
        assertEquals(0, cl.execute("--policy.mode", "audit", "sub", "--upstream.retries=4", "--tls-cert", "a.pem",
                "--server.tls.cert", "b.pem", "--config=x.yaml", "--port", "1", "--port", "2"));
        assertEquals(Map.of("policy.mode", "audit", "upstream.retries", "4", "server.tls.cert", "b.pem", "port", "2"),
                probe.options.flags());
        assertTrue(probe.subRan);
    }

    @Test
    void everyConfigurationFlagOfTheLoaderIsAnOptionAndNoOtherIs() {
        Set<String> options = new TreeSet<>();
        for (OptionSpec o : new CommandLine(new Probe()).getCommandSpec().options()) {
            options.add(o.longestName().substring(2));
        }
        Set<String> expected = new TreeSet<>(ConfigLoader.FLAGS);
        expected.addAll(ConfigLoader.ALIASES.keySet());
        expected.add("config");
        assertEquals(expected, options);
    }

    @Test
    void adminOptionsMayStandAfterTheSubcommand() {
        assertEquals(2, airlock("admin", "list", "--url=ftp://h/", "--token", "t"));
        assertTrue(err().contains("URL must be an http:// or https:// URL"), err());
        assertEquals(2, airlock("admin", "show", "npm"));
        assertTrue(err().contains("expected ECOSYSTEM NAME [VERSION]"), err());
    }

    @Command(name = "probe", modelTransformer = ConfigOptions.Flags.class, preprocessor = ConfigOptions.DottedKeys.class,
            subcommands = Probe.Sub.class)
    static final class Probe implements Callable<Integer>, ConfigOptions.Configured {
        final ConfigOptions options = new ConfigOptions();
        boolean subRan;

        @Override
        public ConfigOptions configOptions() {
            return options;
        }

        @Override
        public Integer call() {
            return 0;
        }

        @Command(name = "sub")
        static final class Sub implements Callable<Integer> {
            @CommandLine.ParentCommand
            Probe parent;

            @Override
            public Integer call() {
                parent.subRan = true;
                return 0;
            }
        }
    }
}
