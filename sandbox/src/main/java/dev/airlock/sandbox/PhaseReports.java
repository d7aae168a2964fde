package dev.airlock.sandbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads a finished container's records into report phases, after checking the package's code ran at all. */
final class PhaseReports {
    private PhaseReports() {
    }

    /**
     * Throws unless the package's own code ran, i.e. unless what follows is about the package: the init
     * marks the moment it starts handling the package, and records the failures of its own it can see
     * (an input it cannot read, its own crash). A container that ended before the mark, however it
     * ended, says nothing about the package.
     */
    static void requirePackageRan(SandboxOutput output, ContainerRunner.Outcome outcome, Set<String> initCauses)
            throws SandboxUnavailableException {
        String log = (outcome.logTail().isBlank() ? "" : "container output:\n" + outcome.logTail().strip() + "\n")
                + output.initLog();
        if (output.failure != null) {
            String cause = initCauses.contains(output.failure.cause()) ? output.failure.cause()
                    : SandboxUnavailableException.INIT_FAILED;
            throw new SandboxUnavailableException(cause, "the sandbox failed: " + output.failure.message(), log, null);
        }
        if (!output.packageStarted) {
            String how = outcome.killedAtDeadline() ? "was killed at its deadline"
                    : outcome.oomKilled() ? "ran out of memory" : "exited with code " + outcome.exitCode();
            throw new SandboxUnavailableException(SandboxUnavailableException.INIT_FAILED,
                    "the sandbox container " + how + " before the package's code started", log, null);
        }
    }

    /**
     * The report's phases. Only called once the package's code ran: a phase the init did not report ended
     * with the container, and gets what the engine saw (OOM, the deadline); a phase after it never ran.
     */
    static List<BehaviorReport.Phase> phases(List<String> names, SandboxOutput output, ContainerRunner.Outcome outcome,
                                             Baseline baseline)
            throws IOException {
        List<BehaviorReport.Phase> phases = new ArrayList<>();
        double from = Double.NEGATIVE_INFINITY;
        boolean cause = false;
        for (String name : names) {
            SandboxOutput.PhaseResult result = output.result == null ? null
                    : output.result.phases().stream().filter(p -> p.phase().equals(name)).findFirst().orElse(null);
            if (result == null) {
                String status = cause ? "error" : outcome.oomKilled() ? "oom" : outcome.killedAtDeadline() ? "timeout" : "error";
                cause = true;
                result = new SandboxOutput.PhaseResult(name, status, null, 0, List.of(), from, Double.MAX_VALUE);
            } else if (outcome.oomKilled() && "error".equals(result.status())) {
                result = new SandboxOutput.PhaseResult(name, "oom", null, result.durationMs(), result.steps(),
                        result.started(), result.ended());
            }
            // DNS and listener records carry wall-clock times: each belongs to the phase it happened in.
            boolean last = name.equals(names.get(names.size() - 1));
            double to = last ? Double.MAX_VALUE : result.ended();
            phases.add(ReportAssembler.assemble(name, result, output.trace(name), output, baseline, from, to));
            from = to;
        }
        return phases;
    }
}
