package dev.airlock.policy;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.PackageCoordinate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/** An analysis queue double: remembers submissions and delivers results on request. */
public final class TestQueue implements AnalysisQueue {
    public record Submission(PackageCoordinate coordinate, AnalysisPriority priority) {
    }

    public record FileSubmission(PackageCoordinate coordinate, dev.airlock.model.ArtifactFile file, AnalysisPriority priority) {
    }

    public final List<Submission> submissions = new CopyOnWriteArrayList<>();
    public final List<FileSubmission> fileSubmissions = new CopyOnWriteArrayList<>();
    private volatile BiConsumer<PackageCoordinate, AnalysisResult> listener;
    private volatile dev.airlock.analysis.FileResultListener fileListener;

    @Override
    public void submit(PackageCoordinate coordinate, dev.airlock.model.ArtifactFile file, AnalysisPriority priority) {
        fileSubmissions.add(new FileSubmission(coordinate, file, priority));
    }

    @Override
    public void onFileResult(dev.airlock.analysis.FileResultListener l) {
        this.fileListener = l;
        this.listener = (c, r) -> l.accept(c, null, r);
    }

    /** Delivers the analysis of one file, with the file's own digest. */
    public void deliverFile(PackageCoordinate c, dev.airlock.model.ArtifactFile file, Recommendation r, Finding... findings) {
        AnalysisResult base = result(c, r, findings);
        fileListener.accept(c, file, new AnalysisResult(base.ecosystem(), base.name(), base.version(),
                file.sha256() != null ? file.sha256() : base.sha256(), r, base.findings(), null, 5, 0));
    }

    @Override
    public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
        submissions.add(new Submission(coordinate, priority));
    }

    @Override
    public int depth() {
        return submissions.size();
    }

    @Override
    public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
        this.listener = l;
    }

    public boolean submitted(PackageCoordinate c, AnalysisPriority p) {
        return submissions.contains(new Submission(c, p));
    }

    public void deliver(PackageCoordinate c, Recommendation r, Finding... findings) {
        listener.accept(c, result(c, r, findings));
    }

    public static AnalysisResult result(PackageCoordinate c, Recommendation r, Finding... findings) {
        return new AnalysisResult(c.ecosystem().id(), c.name(), c.version(), "ab".repeat(32), r, List.of(findings), null, 5, 0);
    }
}
