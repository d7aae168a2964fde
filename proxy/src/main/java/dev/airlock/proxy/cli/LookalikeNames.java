package dev.airlock.proxy.cli;

import dev.airlock.analysis.NameCheck;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.PackageId;
import dev.airlock.policy.rules.TyposquatDetector;
import java.util.Optional;

/**
 * The serving path's look-alike check at its default distance, handed to {@code airlock analyze}
 * so the command reports the names the proxy would quarantine (the analysis module cannot reach
 * the policy module's detector itself).
 */
final class LookalikeNames {
    private LookalikeNames() {
    }

    static NameCheck bundled() {
        TyposquatDetector detector = TyposquatDetector.bundled(new PolicyConfig.Typosquat(null, null).maxDistance());
        return (ecosystem, name) -> {
            try {
                return detector.check(new PackageId(ecosystem, name))
                        .map(m -> "'" + m.imitated() + "' (" + m.how() + ", rank " + m.rank() + ")");
            } catch (IllegalArgumentException e) {
                return Optional.empty();   // not a valid name in that ecosystem: nothing to imitate
            }
        };
    }
}
