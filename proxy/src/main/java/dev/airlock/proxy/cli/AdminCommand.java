package dev.airlock.proxy.cli;

import java.io.PrintStream;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code bin/airlock admin [--url URL] [--token TOKEN] [--json] <command>}: the admin API from a
 * terminal. {@code --url}, {@code --token} and {@code --json} may stand anywhere on the line.
 * Exit codes: 0 ok, 1 server or other error, 2 usage (also a request the server rejects as
 * invalid), 3 Airlock unreachable, 4 token refused (401), 5 not found.
 */
@Command(name = "admin", description = "Talk to a running Airlock's admin API.",
        subcommands = {ListCommand.class, ShowCommand.class, OverrideCommand.Allow.class, OverrideCommand.Block.class,
                UnoverrideCommand.class, ReanalyzeCommand.class, AuditCommand.class, DownloadsCommand.class,
                FeedCommand.class, BreakGlassCommand.class},
        footer = {"URL defaults to $AIRLOCK_URL or http://127.0.0.1:8080/; TOKEN to $AIRLOCK_ADMIN_TOKEN.",
                "Exit codes: 0 ok, 1 server error, 2 usage, 3 unreachable, 4 unauthorized, 5 not found."})
public final class AdminCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", scope = ScopeType.INHERIT, description = "Airlock's address")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT, description = "the admin token")
    String token;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's answer as it is")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "print this help")
    boolean help;

    AdminCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    public static int run(String[] args) {
        return run(args, System.getenv(), System.out, System.err, System.console() != null);
    }

    /** For tests and embedding: explicit environment, streams and whether stderr is a terminal. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
        CliContext ctx = new CliContext(env, out, err, terminal);
        return Cli.run(new AdminCommand(ctx), args, ctx);
    }

    /** No subcommand: the usage on stderr, exit 2. */
    @Override
    public Integer call() {
        ctx.err().print(spec.commandLine().getUsageMessage());
        return Cli.USAGE;
    }

    /** The client and the output for one subcommand: checks the URL and that there is a token. */
    AdminSession session() throws AdminException {
        String u = url != null ? url : ctx.env().getOrDefault("AIRLOCK_URL", "http://127.0.0.1:8080/");
        String t = token != null ? token : ctx.env().get("AIRLOCK_ADMIN_TOKEN");
        URI base;
        try {
            base = ClientConfigCommand.parseBase(u, "URL");
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.USAGE, e.getMessage());
        }
        if (t == null || t.isBlank()) {
            throw new AdminException(AdminException.USAGE,
                    "no admin token: pass --token TOKEN or set AIRLOCK_ADMIN_TOKEN (Airlock writes it to <data-dir>/admin-token)");
        }
        return new AdminSession(new AdminClient(base, t), new AdminOutput(ctx.out(), json), ctx);
    }
}
