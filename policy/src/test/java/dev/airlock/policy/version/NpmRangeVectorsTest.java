package dev.airlock.policy.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link NpmRange} against npm's own answers: {@code npm-range-vectors.tsv} is every range of
 * {@code scripts/npm-range-vectors.js} against every version there, as npm's semver package
 * answers with pre-releases included.
 */
class NpmRangeVectorsTest {
    @Test
    void everyRangeMatchesEveryVersionExactlyAsNpmsSemverDoes() throws IOException {
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        try (InputStream in = NpmRangeVectorsTest.class.getResourceAsStream("npm-range-vectors.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                boolean npm = Boolean.parseBoolean(f[2]);
                boolean ours = VersionMatcher.parse(Ecosystem.NPM, f[0]).matches(f[1]);
                checked++;
                if (ours != npm) {
                    disagreements.add("'" + f[0] + "' on " + f[1] + ": npm " + npm + ", Airlock " + ours);
                }
            }
        }
        assertTrue(checked > 2_500, "vectors read: " + checked);
        assertEquals(List.of(), disagreements);
    }
}
