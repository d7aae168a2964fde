package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.store.BehaviorDiff;
import java.util.ArrayList;
import java.util.List;

/**
 * Behaviour is compared with the package's previous version, file kind by file kind (an sdist runs
 * code a wheel never does): the key under which the last analysed and the last clean job of a kind
 * are kept, and the result with the behaviour changes added.
 */
final class Baselines {
    private Baselines() {
    }

    /** {@code ecosystem:name|kind}. */
    static String kindKey(Job job) {
        return job.coordinate().packageId() + "|" + kind(job);
    }

    static String kind(Job job) {
        if (job.file() == null) {
            return "version";
        }
        String n = job.file().name();
        return n.endsWith(".whl") ? (n.endsWith("-none-any.whl") ? "wheel" : "platform-wheel") : "source";
    }

    /** The result with the findings of what changed since {@code previous} (of {@code previousVersion}) added. */
    static AnalysisResult withChanges(AnalysisResult previous, String previousVersion, AnalysisResult result) {
        List<Finding> changes = BehaviorDiff.compare(previous, previousVersion, result);
        if (changes.isEmpty()) {
            return result;
        }
        List<Finding> all = new ArrayList<>(result.findings());
        all.addAll(changes);
        return new AnalysisResult(result.ecosystem(), result.name(), result.version(), result.sha256(),
                result.recommendation(), all, result.behavior(), result.staticMs(), result.dynamicMs());
    }
}
