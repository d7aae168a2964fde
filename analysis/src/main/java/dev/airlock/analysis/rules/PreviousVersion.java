package dev.airlock.analysis.rules;

import dev.airlock.sandbox.BehaviorReport;
import java.util.Objects;

/**
 * The behaviour baseline of a package: the previous version of the same kind of file that was
 * allowed, and what it did in the sandbox. Behaviour a package has always had is weighed; new
 * behaviour is what decides.
 *
 * @param version  the previous allowed version
 * @param behavior its sandbox report (null when it ran without the sandbox: then nothing is a habit)
 */
public record PreviousVersion(String version, BehaviorReport behavior) {
    public PreviousVersion {
        Objects.requireNonNull(version, "version");
    }
}
