package dev.airlock.sandbox;

import java.util.List;

/**
 * What a package did inside the sandbox. This is a contract: {@code bin/airlock analyze --json}
 * emits it as {@code behavior}, the analysis folds it into findings and the admin UI shows it.
 * Lists are sorted so two reports of the same behaviour serialise identically and diff cleanly.
 *
 * @param runtime {@code runc} or {@code runsc}
 * @param image   the sandbox image tag
 * @param phases  install, then import, then execute (calling what the package exports)
 */
public record BehaviorReport(String runtime, String image, List<Phase> phases) {
    public BehaviorReport {
        phases = phases == null ? List.of() : List.copyOf(phases);
    }

    /**
     * @param phase              {@code install}, {@code import} or {@code execute}
     * @param status             {@code completed}, {@code timeout}, {@code oom} or {@code error}
     * @param exitCode           the phase's exit code, null when it never exited by itself
     * @param unparsedTraceLines trace lines the parser could not read (counted, never dropped silently)
     */
    public record Phase(String phase, String status, Integer exitCode, long durationMs, List<FileAccess> files,
                        List<Command> commands, List<NetworkAttempt> network, List<DnsQuery> dns,
                        List<BaitAccess> baits, long unparsedTraceLines) {
        public Phase {
            files = files == null ? List.of() : List.copyOf(files);
            commands = commands == null ? List.of() : List.copyOf(commands);
            network = network == null ? List.of() : List.copyOf(network);
            dns = dns == null ? List.of() : List.copyOf(dns);
            baits = baits == null ? List.of() : List.copyOf(baits);
        }
    }

    public record FileAccess(String path, boolean read, boolean write, boolean delete) {
    }

    public record Command(List<String> argv) {
        public Command {
            argv = List.copyOf(argv);
        }
    }

    /** @param hostname the DNS name that resolved to this address inside the sandbox, or null */
    public record NetworkAttempt(String address, int port, String hostname) {
    }

    public record DnsQuery(String hostname) {
    }

    /** @param bait which planted credential; @param how {@code read}, {@code exec} or {@code sent} */
    public record BaitAccess(String bait, String path, String how) {
    }
}
