package dev.airlock.analysis.queue;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.util.List;

/**
 * What the queue records for a job the process died under twice. Re-running it would kill the
 * process again at every start (a crash loop that takes the whole proxy down), so it is held for
 * review instead, the way an analysis that overran its deadline is: quarantined with the reason
 * {@value #CODE}, which an admin ends by allowing or blocking the version. One death alone holds
 * nothing: a {@code kill -9} of a healthy process must not leave every version it was analysing
 * held, so the job runs once more, alone, before a second death is taken as its own.
 */
final class AnalysisCrash {
    static final String CODE = "analysis_crashed";
    /** Deaths under one job after which it is held rather than run again. */
    static final int DEATHS_TO_HOLD = 2;

    private AnalysisCrash() {
    }

    static boolean holds(int deaths) {
        return deaths >= DEATHS_TO_HOLD;
    }

    static AnalysisResult result(PackageCoordinate c, ArtifactFile file, int deaths) {
        String what = file == null ? c.toString() : file.name();
        return new AnalysisResult(c.ecosystem().id(), c.name(), c.version(), file == null ? null : file.sha256(),
                Recommendation.SUSPICIOUS, List.of(new Finding(CODE, "medium", "policy",
                "Airlock stopped " + deaths + " times while analysing " + what + " (killed or out of memory); "
                        + "it is not analysed again automatically. Review it, then allow or block it.", "", null)),
                null, 0, 0);
    }
}
