package dev.airlock.sandbox;

import dev.airlock.sandbox.BehaviorReport.BaitAccess;
import dev.airlock.sandbox.BehaviorReport.Command;
import dev.airlock.sandbox.BehaviorReport.DnsQuery;
import dev.airlock.sandbox.BehaviorReport.FileAccess;
import dev.airlock.sandbox.BehaviorReport.NetworkAttempt;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns one phase's recordings (strace log, DNS log, listener log, bait list) into a report phase:
 * drops the runtime's own noise (system reads, the sandbox's plumbing, then the harmless baseline),
 * sorts everything so equal behaviour gives equal reports, and never drops bait accesses.
 */
final class ReportAssembler {
    private static final Pattern HOME_PREFIX = Pattern.compile("^/home/[^/]+/");
    /** The container's staging directory (a tmpfs; see ContainerRunner and airlock_init.py). */
    static final String STAGING = "/work";
    /** Past this many lines a trace is counted, not parsed, so one noisy package cannot exhaust the heap. */
    static final long MAX_TRACE_LINES = 2_000_000;
    private static final List<String> SYSTEM_READS = List.of("/usr/", "/lib/", "/lib64/", "/bin/", "/sbin/",
            "/etc/ld.so.cache", "/etc/localtime", "/opt/airlock/", "/sys/", "/proc/", "/dev/null", "/dev/urandom",
            "/dev/random", "/dev/tty", "/dev/pts/", "/dev/shm/", "/in/");
    /** Failures that only mean "looked for it, not there": path probing by every runtime. */
    private static final Set<String> PROBE_ERRORS = Set.of("ENOENT", "ENOTDIR", "EEXIST", "ENAMETOOLONG", "ELOOP");
    private static final Pattern PTH = Pattern.compile(".*\\.pth$");
    private static final String DRIVER_MARK = "cd \"$1\" || exit 125;";

    /** The phase before baseline subtraction; also what a harmless run contributes to a baseline. */
    record View(Map<String, FileAccess> files, Set<String> commandKeys, List<Command> commands) {
    }

    private ReportAssembler() {
    }

    static View view(SandboxOutput.PhaseResult result, TraceEvents events) {
        Map<String, FileAccess> files = new TreeMap<>();
        for (TraceEvents.FileOp op : events.files) {
            if (op.error() != null && PROBE_ERRORS.contains(op.error())) {
                continue;
            }
            String path = PathNormalizer.normalize(op.path());
            if (isNoise(path, op)) {
                continue;
            }
            FileAccess prior = files.get(path);
            files.put(path, prior == null ? new FileAccess(path, op.read(), op.write(), op.delete())
                    : new FileAccess(path, prior.read() || op.read(), prior.write() || op.write(), prior.delete() || op.delete()));
        }
        Set<String> own = new HashSet<>();
        if (result != null) {
            for (SandboxOutput.Step step : result.steps()) {
                own.add(Baseline.key(step.argv()));
            }
        }
        Map<String, Command> commands = new TreeMap<>();
        for (TraceEvents.Exec exec : events.execs) {
            List<String> argv = exec.argv();
            if (argv.size() > 2 && argv.get(2).startsWith(DRIVER_MARK)) {
                continue;
            }
            if (own.contains(Baseline.key(argv))) {
                continue;
            }
            List<String> normalized = new ArrayList<>();
            for (String a : argv) {
                normalized.add(a.startsWith("/") ? PathNormalizer.normalize(a) : PathNormalizer.normalizeEmbedded(a));
            }
            commands.putIfAbsent(Baseline.key(normalized), new Command(normalized));
        }
        return new View(files, commands.keySet(), List.copyOf(commands.values()));
    }

    private static boolean isNoise(String path, TraceEvents.FileOp op) {
        boolean readOnly = !op.write() && !op.delete();
        if (readOnly) {
            for (String prefix : SYSTEM_READS) {
                if (path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))) {
                    return true;
                }
            }
        }
        // The sandbox's own staging (extracted package, install target, pip's build dirs): installing
        // a package writes it there; what matters is what it touches elsewhere, and .pth hooks.
        if (path.startsWith(STAGING + "/") || path.equals(STAGING) || path.startsWith("/tmp/pip-")) {
            return !(op.write() && PTH.matcher(path).matches());
        }
        return path.startsWith("<fd ") && readOnly;
    }

    static BehaviorReport.Phase assemble(String phase, SandboxOutput.PhaseResult result, Path trace,
                                         SandboxOutput output, Baseline baseline, double windowStart, double windowEnd)
            throws IOException {
        TraceEvents events = parse(trace);
        View view = view(result, events);
        List<FileAccess> files = new ArrayList<>();
        for (FileAccess access : view.files().values()) {
            if (!baseline.files().contains(access.path())) {
                files.add(access);
            }
        }
        List<Command> commands = new ArrayList<>();
        for (Command command : view.commands()) {
            if (!baseline.commands().contains(Baseline.key(command.argv()))) {
                commands.add(command);
            }
        }
        Map<String, String> names = new HashMap<>();
        TreeSet<String> dnsNames = new TreeSet<>();
        for (SandboxOutput.DnsRecord record : output.dns) {
            if (record.address() != null) {
                names.put(record.address(), record.name());
            }
            if (record.t() > windowStart && record.t() <= windowEnd && record.name() != null) {
                dnsNames.add(record.name());
            }
        }
        TreeMap<String, NetworkAttempt> network = new TreeMap<>();
        for (TraceEvents.Connect connect : events.connects) {
            if (connect.port() == 53 && connect.address().equals("127.0.0.1")) {
                continue;
            }
            NetworkAttempt attempt = new NetworkAttempt(connect.address(), connect.port(), names.get(connect.address()));
            network.putIfAbsent(connect.address() + "\u0000" + String.format(Locale.ROOT, "%05d", connect.port()), attempt);
        }
        List<String> sent = new ArrayList<>(events.sends);
        for (SandboxOutput.ListenerRecord record : output.connections) {
            if (record.t() > windowStart && record.t() <= windowEnd && record.firstBytes() != null) {
                sent.add(new String(Base64.getDecoder().decode(record.firstBytes()), StandardCharsets.ISO_8859_1));
            }
        }
        sent.addAll(dnsNames);
        List<BaitAccess> baits = baits(output.baits, events, sent);
        return new BehaviorReport.Phase(phase, result == null ? "error" : result.status(),
                result == null ? null : result.exitCode(), result == null ? 0 : result.durationMs(), files, commands,
                List.copyOf(network.values()), dnsNames.stream().map(DnsQuery::new).toList(), baits, events.unparsed);
    }

    static TraceEvents parse(Path trace) throws IOException {
        if (trace == null || !Files.isRegularFile(trace)) {
            return new TraceEvents();
        }
        try (BufferedReader reader = Files.newBufferedReader(trace, StandardCharsets.ISO_8859_1)) {
            return new StraceParser("/").parse(reader, MAX_TRACE_LINES);
        }
    }

    private static List<BaitAccess> baits(List<SandboxOutput.Bait> planted, TraceEvents events, List<String> sent) {
        TreeSet<BaitAccess> found = new TreeSet<>(Comparator.comparing(BaitAccess::bait).thenComparing(BaitAccess::how)
                .thenComparing(BaitAccess::path));
        for (SandboxOutput.Bait bait : planted) {
            String path = bait.path() == null ? "env:AWS_ACCESS_KEY_ID" : bait.path();
            if (bait.path() != null) {
                for (TraceEvents.FileOp op : events.files) {
                    if (op.path().equals(bait.path())) {
                        found.add(new BaitAccess(bait.bait(), path, "read"));
                    }
                }
                String relative = HOME_PREFIX.matcher(bait.path()).replaceFirst("");
                for (TraceEvents.Exec exec : events.execs) {
                    if (exec.argv().stream().anyMatch(a -> a.contains(bait.path()) || a.contains(relative))
                            && !(exec.argv().size() > 2 && exec.argv().get(2).startsWith(DRIVER_MARK))) {
                        found.add(new BaitAccess(bait.bait(), path, "exec"));
                    }
                }
            }
            for (String marker : bait.markers()) {
                String lower = marker.toLowerCase(Locale.ROOT);
                if (sent.stream().anyMatch(s -> s.contains(marker) || s.toLowerCase(Locale.ROOT).contains(lower))) {
                    found.add(new BaitAccess(bait.bait(), path, "sent"));
                }
            }
        }
        return List.copyOf(found);
    }
}
