package dev.airlock.analysis;

import dev.airlock.model.Ecosystem;
import java.util.Optional;

/**
 * Whether a package name imitates a popular one. The policy module owns the popularity lists and the
 * detector; it hands one in where the analysis should report look-alikes too ({@code airlock analyze}).
 */
@FunctionalInterface
public interface NameCheck {
    /** A description of the imitation (which name, how, its rank), or empty when the name is not a look-alike. */
    Optional<String> lookalike(Ecosystem ecosystem, String name);

    NameCheck NONE = (ecosystem, name) -> Optional.empty();
}
