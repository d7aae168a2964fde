package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;

/**
 * A finding plus what the verdict needs to weigh it: whether it is a capability (the code can do
 * harm) or a threat (the code shows intent), and where the code runs.
 *
 * @param group the file (or "install" for all install-time code together) whose capabilities and
 *              threats combine with each other
 */
public record Hit(Finding finding, Role role, Context context, String group) {
    public enum Role { INFO, CAPABILITY, THREAT, STRONG_THREAT, VERDICT_SUSPICIOUS, VERDICT_MALICIOUS }

    /** When the code runs: during install, as a module loads, or only if a function is called. */
    public enum Context { INSTALL, IMPORT, RUNTIME, PACKAGE }

    public boolean isThreat() {
        return role == Role.THREAT || role == Role.STRONG_THREAT;
    }
}
