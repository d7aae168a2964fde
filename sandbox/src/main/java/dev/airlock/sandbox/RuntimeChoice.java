package dev.airlock.sandbox;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which container runtime a run uses, decided from {@code sandbox.runtime} and what the engine has
 * registered. {@code auto} prefers gVisor, whose user-space kernel stands between the package and the
 * host's kernel, and falls back to runc with a warning rather than refusing to run.
 *
 * @param runtime the runtime containers run on, null when none can be used
 * @param warning what the operator should know about the choice, null when nothing
 * @param problem why no runtime can be used, null when one can
 */
record RuntimeChoice(String runtime, String warning, String problem) {
    static final String AUTO = "auto";
    static final String GVISOR = "runsc";
    static final String RUNC = "runc";
    static final String NO_GVISOR_WARNING =
            "gVisor (runsc) is not registered with the engine; the sandbox runs on runc (weaker isolation)";

    static RuntimeChoice resolve(String configured, Set<String> registered) {
        String wanted = configured == null ? AUTO : configured;
        if (AUTO.equals(wanted)) {
            if (registered.contains(GVISOR)) {
                return new RuntimeChoice(GVISOR, null, null);
            }
            return registered.contains(RUNC) ? new RuntimeChoice(RUNC, NO_GVISOR_WARNING, null)
                    : new RuntimeChoice(null, null, "the engine has neither runsc nor runc registered (has: "
                    + String.join(" ", new TreeSet<>(registered)) + ")");
        }
        if (registered.contains(wanted)) {
            return new RuntimeChoice(wanted, null, null);
        }
        return new RuntimeChoice(null, null, "the engine has no runtime '" + wanted + "' registered (has: "
                + String.join(" ", new TreeSet<>(registered)) + "); see sandbox/README.md");
    }
}
