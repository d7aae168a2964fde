package dev.airlock.proxy;

import dev.airlock.analysis.cli.AnalyzeCommand;
import dev.airlock.proxy.cli.AdminCommand;
import dev.airlock.proxy.cli.ClientConfigCommand;
import dev.airlock.sandbox.SandboxCommand;
import java.util.Arrays;

/** Entry point of {@code bin/airlock}: dispatches to the subcommands; the exit code is theirs. */
public final class Main {
    private static final String USAGE = String.join("\n",
            "usage: airlock <command> [options]",
            "  serve          run the proxy (see --help)",
            "  worker         analysis only, for a shared store: worker --store.url postgresql://... (see --help)",
            "  analyze        analyse artifacts: analyze [--json] [--no-sandbox] [--require-sandbox] [--ecosystem npm|pypi] FILE...",
            "  sandbox        sandbox image: sandbox build-image",
            "  admin          talk to a running Airlock: admin --url URL --token TOKEN <command>",
            "  client-config  print client settings: client-config --url URL");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "serve":
                return ServeCommand.run(rest);
            case "worker":
                return WorkerCommand.run(rest);
            case "analyze":
                return AnalyzeCommand.run(rest);
            case "sandbox":
                return SandboxCommand.run(rest);
            case "admin":
                return AdminCommand.run(rest);
            case "client-config":
                return ClientConfigCommand.run(rest);
            default:
                System.err.println("airlock: unknown command '" + args[0] + "'\n" + USAGE);
                return 2;
        }
    }
}
