package dev.airlock.analysis.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidenceModelTest {
    private static Hit hit(String rule, Role role, Context context) {
        return new Hit(new Finding(rule, "medium", "static", rule, "", null), role, context, "f.py");
    }

    private final EvidenceModel model = new EvidenceModel(Map.of("network_access@import", 1.5, "host_fingerprinting@import", 1.0,
            "network_access@runtime", -0.5), -2.0, 0.6);

    @Test
    void whereTheCodeRunsIsPartOfTheFeatureAndTheStrongestWeighsFirst() {
        EvidenceModel.Score atImport = model.score(List.of(hit("host_fingerprinting", Role.THREAT, Context.IMPORT),
                hit("network_access", Role.CAPABILITY, Context.IMPORT)));
        assertEquals(1 / (1 + Math.exp(-0.5)), atImport.value(), 1e-9);
        assertTrue(atImport.overThreshold());
        assertEquals("network_access", atImport.contributions().get(0).getKey().finding().rule());

        EvidenceModel.Score whenCalled = model.score(List.of(hit("host_fingerprinting", Role.THREAT, Context.RUNTIME),
                hit("network_access", Role.CAPABILITY, Context.RUNTIME)));
        assertFalse(whenCalled.overThreshold(), "the same calls in a library function weigh less: " + whenCalled.value());
    }

    @Test
    void informationIsNoEvidenceAndAFileWithoutFeaturesIsNeverOverTheThreshold() {
        EvidenceModel generous = new EvidenceModel(Map.of(), 5.0, 0.5);
        assertFalse(generous.score(List.of(hit("install_script", Role.INFO, Context.INSTALL))).overThreshold());
        assertTrue(generous.score(List.of(hit("unknown_rule", Role.THREAT, Context.IMPORT))).overThreshold());
    }

    @Test
    void theExplanationNamesTheScoreAndEveryFeatureWithItsWeight() {
        EvidenceModel.Score s = model.score(List.of(hit("network_access", Role.CAPABILITY, Context.IMPORT)));
        Finding f = EvidenceModel.explain(s, true);
        assertEquals("evidence_score", f.rule());
        assertEquals("medium", f.severity());
        assertEquals("network_access@import=+1.50", f.evidence());
        assertTrue(f.message().contains("0.378") && f.message().contains("0.600"), f.message());
        assertEquals("info", EvidenceModel.explain(s, false).severity());
    }
}
