package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.rules.Hit.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A weighted-evidence score per file: every static, dynamic and metadata signal that is not mere
 * information is a feature {@code rule@context} (where the code runs matters more than what it is),
 * each with a weight learned by {@code bench/detection/train-model.py} on the train split and the
 * benign corpus ({@code evidence-model.tsv} beside this class, with the data it came from in
 * {@code bench/detection/model-data.tsv}); the score is the logistic of their sum. The rules'
 * named combinations still decide what is blocked: this score only sends to quarantine a file the
 * rules would allow, at a threshold calibrated to the false-flag budget, naming the findings that
 * weighed most. Library code that may do harm when called is a person's question, never a block.
 */
public final class EvidenceModel {
    static final String RESOURCE = "evidence-model.tsv";
    private static final EvidenceModel BUNDLED = load();

    private final Map<String, Double> weights;
    private final double bias;
    private final double threshold;

    EvidenceModel(Map<String, Double> weights, double bias, double threshold) {
        this.weights = Map.copyOf(weights);
        this.bias = bias;
        this.threshold = threshold;
    }

    public static EvidenceModel bundled() {
        return BUNDLED;
    }

    /** The outcome for one file: its score, the threshold, and its features by how much each weighed. */
    public record Score(double value, double threshold, List<Map.Entry<Hit, Double>> contributions) {
        public boolean overThreshold() {
            return !contributions.isEmpty() && value >= threshold;
        }
    }

    /** A hit's feature name: its rule and where its code runs. */
    static String feature(Hit h) {
        return h.finding().rule() + "@" + h.context().name().toLowerCase(Locale.ROOT);
    }

    public Score score(List<Hit> hits) {
        Map<String, Hit> features = new LinkedHashMap<>();
        for (Hit h : hits) {
            if (h.role() != Role.INFO) {
                features.putIfAbsent(feature(h), h);
            }
        }
        double z = bias;
        List<Map.Entry<Hit, Double>> parts = new ArrayList<>();
        for (Map.Entry<String, Hit> f : features.entrySet()) {
            double w = weights.getOrDefault(f.getKey(), 0.0);
            z += w;
            parts.add(Map.entry(f.getValue(), w));
        }
        parts.sort(Comparator.comparing((Map.Entry<Hit, Double> e) -> -e.getValue()));
        return new Score(1 / (1 + Math.exp(-z)), threshold, parts);
    }

    /**
     * A finding that states the score and every feature, so that a verdict can be traced and re-trained:
     * information, or of medium severity when the score itself sent the file to quarantine.
     */
    public static Finding explain(Score s, boolean decided) {
        StringBuilder features = new StringBuilder();
        for (Map.Entry<Hit, Double> e : s.contributions()) {
            features.append(features.length() == 0 ? "" : " ").append(feature(e.getKey()))
                    .append(String.format(Locale.ROOT, "=%+.2f", e.getValue()));
        }
        return new Finding("evidence_score", decided ? "medium" : "info", "model", String.format(Locale.ROOT,
                decided ? "Many weak signals together: weighted evidence %.3f reaches the quarantine threshold %.3f."
                        : "Weighted evidence %.3f (quarantine at %.3f).", s.value(), s.threshold()), features.toString(), null);
    }

    private static EvidenceModel load() {
        Map<String, Double> weights = new HashMap<>();
        double bias = 0;
        // Without a trained model nothing is ever over the threshold.
        double threshold = 2;
        try (InputStream in = EvidenceModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new EvidenceModel(weights, bias, threshold);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] kv = line.split("\t");
                if (kv.length != 2) {
                    throw new IllegalStateException("malformed line in " + RESOURCE + ": " + line);
                }
                double v = Double.parseDouble(kv[1]);
                switch (kv[0]) {
                    case "@bias" -> bias = v;
                    case "@threshold" -> threshold = v;
                    default -> weights.put(kv[0], v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new EvidenceModel(weights, bias, threshold);
    }
}
