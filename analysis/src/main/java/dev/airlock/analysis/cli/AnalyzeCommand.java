package dev.airlock.analysis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.analysis.AnalysisRequest;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.NameCheck;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.SandboxFactory;
import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.common.Json;
import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * {@code bin/airlock analyze [--json] [--no-sandbox] [--require-sandbox] [--ecosystem npm|pypi]
 * [--previous FILE] [--deps DIR] FILE...}. {@code --previous} names the package's previous release,
 * which each FILE is compared with (install scripts, new behaviour, publisher); {@code --deps} a
 * directory of allowed artifacts the sandbox installs dependencies from.
 * A contract for scripts outside the project: exit 0 when every input is allowed, 3 when any is
 * not, 2 on usage errors, 1 on other errors; with {@code --json} one object per input per line.
 */
public final class AnalyzeCommand {
    static final String USAGE = "usage: airlock analyze [--json] [--no-sandbox] [--require-sandbox] [--ecosystem npm|pypi]"
            + " [--previous FILE] [--deps DIR] FILE...";
    private static final ObjectMapper JSON = Json.MAPPER;
    static final Supplier<Optional<Sandbox>> DEFAULT_SANDBOXES = () -> SandboxFactory.docker(SandboxConfig.defaults());
    private static final long ENGINE_WAIT_MS = 30_000;

    private AnalyzeCommand() {
    }

    /** Lets the bench run the analysis module alone, without the proxy's fat jar. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /** As {@link #run(String[])}, reporting look-alike names with {@code names} (the policy's typosquat detector). */
    public static int run(String[] args, NameCheck names) {
        return run(args, System.out, System.err, DEFAULT_SANDBOXES, names);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, DEFAULT_SANDBOXES);
    }

    /** As above with the sandbox lookup given, so the no-engine path is testable on machines that have one. */
    public static int run(String[] args, PrintStream out, PrintStream err, Supplier<Optional<Sandbox>> sandboxes) {
        return run(args, out, err, sandboxes, NameCheck.NONE);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Supplier<Optional<Sandbox>> sandboxes, NameCheck names) {
        AnalyzeOptions options = new AnalyzeOptions(names);
        CommandLine cl = AnalyzeOptions.commandLine(options);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("airlock analyze: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (cl.isUsageHelpRequested()) {
            out.println(USAGE);
            return 0;
        }
        return execute(options, out, err, sandboxes);
    }

    /** The analysis of the files {@code options} name, parsed already. */
    static int execute(AnalyzeOptions options, PrintStream out, PrintStream err, Supplier<Optional<Sandbox>> sandboxes) {
        boolean json = options.json;
        boolean noSandbox = options.noSandbox;
        boolean requireSandbox = options.requireSandbox;
        Ecosystem eco = options.ecosystem;
        List<String> files = options.files;
        Path previousFile = options.previous;
        Path deps = options.deps;
        NameCheck names = options.names;
        if (files.isEmpty()) {
            err.println("airlock analyze: no FILE given\n" + USAGE);
            return 2;
        }
        if (previousFile != null && !Files.isRegularFile(previousFile)) {
            err.println("airlock analyze: --previous " + previousFile + ": no such file");
            return 2;
        }
        if (deps != null && !Files.isDirectory(deps)) {
            err.println("airlock analyze: --deps " + deps + ": no such directory");
            return 2;
        }
        if (noSandbox && requireSandbox) {
            err.println("airlock analyze: --no-sandbox and --require-sandbox exclude each other\n" + USAGE);
            return 2;
        }
        Sandbox sandbox = null;
        if (!noSandbox) {
            sandbox = sandboxes.get().filter(AnalyzeCommand::reachable).orElse(null);
            if (sandbox == null) {
                if (requireSandbox) {
                    err.println("airlock analyze: --require-sandbox given but no container engine is reachable");
                    return 1;
                }
                err.println("airlock analyze: warning: no container engine reachable; static analysis only");
            }
        }
        boolean useSandbox = sandbox != null;
        int worst = 0;
        boolean failed = false;
        try (Analyzer analyzer = new Analyzer(sandbox, ArchiveLimits.defaults(),
                useSandbox ? Analyzer.defaultRegistryHosts() : Set.of(), names)) {
            PreviousVersion previous = null;
            if (previousFile != null) {
                try {
                    previous = analyzer.describe(previousFile, eco);
                } catch (IOException | RuntimeException e) {
                    err.println("airlock analyze: --previous " + previousFile + ": " + e);
                    return 1;
                }
            }
            AnalysisRequest request = AnalysisRequest.of(eco, useSandbox).withPrevious(previous).withDependencies(deps);
            for (String f : files) {
                Path p = Path.of(f);
                if (!Files.isRegularFile(p)) {
                    err.println("airlock analyze: " + f + ": no such file");
                    failed = true;
                    continue;
                }
                AnalysisResult r;
                try {
                    r = analyzer.analyze(p, request);
                } catch (SandboxUnavailableException e) {
                    if (requireSandbox) {
                        err.println("airlock analyze: " + f + ": sandbox failed: " + e.getMessage());
                        failed = true;
                        continue;
                    }
                    err.println("airlock analyze: warning: " + f + ": sandbox failed (" + e.getMessage() + "); static only");
                    r = analyzer.analyzeWithoutSandbox(p, request);
                } catch (IOException | RuntimeException e) {
                    err.println("airlock analyze: " + f + ": " + e);
                    failed = true;
                    continue;
                }
                if (json) {
                    out.println(JSON.writeValueAsString(toJson(f, r)));
                } else {
                    human(out, f, r);
                }
                if (r.recommendation() != Recommendation.CLEAN) {
                    worst = 3;
                }
            }
        } catch (IOException e) {
            err.println("airlock analyze: " + e.getMessage());
            return 1;
        }
        out.flush();
        return failed ? 1 : worst;
    }

    /**
     * On a loaded machine the first probes of a cold JVM (the Docker client loads its classes) can miss
     * their few seconds each; a command-line run asks for up to {@link #ENGINE_WAIT_MS} before going without.
     */
    private static boolean reachable(Sandbox s) {
        long until = System.nanoTime() + ENGINE_WAIT_MS * 1_000_000L;
        boolean up = s.available();
        while (!up && System.nanoTime() < until) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            up = s.recheck();
        }
        return up;
    }

    static ObjectNode toJson(String file, AnalysisResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("file", file);
        o.put("ecosystem", r.ecosystem());
        o.put("name", r.name());
        o.put("version", r.version());
        o.put("sha256", r.sha256());
        o.put("verdict", r.recommendation().verdict());
        ArrayNode fs = o.putArray("findings");
        for (Finding f : r.findings()) {
            ObjectNode x = fs.addObject();
            x.put("rule", f.rule());
            x.put("severity", f.severity());
            x.put("source", f.source());
            x.put("message", f.message());
            x.put("evidence", f.evidence());
            x.put("location", f.location());
        }
        o.set("behavior", r.behavior() == null ? null : JSON.valueToTree(r.behavior()));
        ObjectNode t = o.putObject("timings");
        t.put("staticMs", r.staticMs());
        t.put("dynamicMs", r.dynamicMs());
        return o;
    }

    private static void human(PrintStream out, String file, AnalysisResult r) {
        out.printf("%s: %s (%s %s@%s)%n", file, r.recommendation().verdict().toUpperCase(java.util.Locale.ROOT), r.ecosystem(),
                r.name(), r.version());
        for (Finding f : r.findings()) {
            if (f.severity().equals("info") || f.severity().equals("low") && r.recommendation() == Recommendation.CLEAN) {
                continue;
            }
            out.printf("  [%s] %s: %s%n", f.severity(), f.rule(), f.message());
            if (f.location() != null || !f.evidence().isEmpty()) {
                out.printf("      %s  %s%n", f.location() == null ? "" : f.location(), f.evidence());
            }
        }
        out.printf("  static %d ms, sandbox %d ms%n", r.staticMs(), r.dynamicMs());
    }
}
