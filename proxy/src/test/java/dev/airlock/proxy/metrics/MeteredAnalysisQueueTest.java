package dev.airlock.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Recommendation;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class MeteredAnalysisQueueTest {
    /** A queue that answers when told to: the decorator is under test, not the analysis. */
    private static final class ManualQueue implements AnalysisQueue {
        final List<PackageCoordinate> submitted = new ArrayList<>();
        BiConsumer<PackageCoordinate, AnalysisResult> listener;

        @Override
        public void submit(PackageCoordinate coordinate, AnalysisPriority priority) {
            submitted.add(coordinate);
        }

        @Override
        public int depth() {
            return submitted.size();
        }

        @Override
        public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
            listener = l;
        }
    }

    @Test
    void timesAnalysesByOutcomeRecordsTheWaitAndStillDeliversEveryResult() throws Exception {
        ManualQueue inner = new ManualQueue();
        List<PackageCoordinate> delivered = new ArrayList<>();
        try (AirlockMetrics metrics = new AirlockMetrics()) {
            MeteredAnalysisQueue queue = new MeteredAnalysisQueue(inner, metrics);
            queue.onResult((c, r) -> delivered.add(c));
            PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "tiny-helper", "1.3.0");
            queue.submit(c, AnalysisPriority.NEW_VERSION);
            queue.submit(c, AnalysisPriority.DOWNLOAD_WAITING);
            Thread.sleep(120);
            inner.listener.accept(c, new AnalysisResult("npm", "tiny-helper", "1.3.0", "00", Recommendation.SUSPICIOUS,
                    List.of(), null, 20, 30));
            assertEquals(List.of(c), delivered);
            assertEquals(2, queue.depth());
            String text = metrics.scrape();
            assertTrue(text.contains("airlock_analysis_duration_seconds_count{ecosystem=\"npm\",recommendation=\"suspicious\"} 1"), text);
            assertTrue(text.contains("airlock_analysis_duration_seconds_sum{ecosystem=\"npm\",recommendation=\"suspicious\"} 0.05"), text);
            assertTrue(text.contains("airlock_analysis_queue_wait_seconds_count 1"), text);
            assertTrue(text.contains("airlock_analysis_queue_depth 2.0"), text);
        }
    }
}
