package dev.airlock.policy.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Pep440Version} and {@link Pep440Specifier} against Python's {@code packaging}:
 * {@code pep440-vectors.tsv} holds its answers (see {@code scripts/pep440-vectors.py}) for which
 * strings are versions, their normalised forms, their order, and which versions specifier sets
 * contain with pre-releases allowed.
 */
class Pep440VectorsTest {
    private record Version(String input, String normalised, int rank) {
    }

    private record Containment(String spec, String version, boolean contains) {
    }

    private static final List<Version> VERSIONS = new ArrayList<>();
    private static final List<Containment> SPECS = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = Pep440VectorsTest.class.getResourceAsStream("pep440-vectors.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f[0].equals("V")) {
                    String input = f[1].replace("\\t", "\t").replace("\\n", "\n");
                    VERSIONS.add(new Version(input, f[2], f[3].isEmpty() ? -1 : Integer.parseInt(f[3])));
                } else {
                    SPECS.add(new Containment(f[1], f[2], Boolean.parseBoolean(f[3])));
                }
            }
        }
        assertTrue(VERSIONS.size() > 1_000 && SPECS.size() > 1_000, VERSIONS.size() + " versions, " + SPECS.size() + " specifier rows");
    }

    @Test
    void acceptsAndNormalisesExactlyWhatPackagingDoes() {
        List<String> wrong = new ArrayList<>();
        for (Version v : VERSIONS) {
            Pep440Version parsed = Pep440Version.tryParse(v.input());
            String ours = parsed == null ? "INVALID" : parsed.toString();
            if (!ours.equals(v.normalised())) {
                wrong.add("'" + v.input() + "': packaging " + v.normalised() + ", Airlock " + ours);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void ordersEveryPairAsPackagingDoes() {
        List<Version> valid = VERSIONS.stream().filter(v -> v.rank() >= 0).toList();
        List<Pep440Version> parsed = valid.stream().map(v -> Pep440Version.tryParse(v.input())).toList();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < valid.size() && wrong.size() < 20; i++) {
            for (int j = 0; j < valid.size(); j++) {
                if (parsed.get(i) == null || parsed.get(j) == null) {
                    continue;
                }
                int expected = Integer.signum(Integer.compare(valid.get(i).rank(), valid.get(j).rank()));
                int ours = Integer.signum(parsed.get(i).compareTo(parsed.get(j)));
                if (expected != ours) {
                    wrong.add(valid.get(i).input() + " vs " + valid.get(j).input() + ": packaging " + expected + ", Airlock " + ours);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void specifierSetsContainWhatPackagingsContainWithPreReleases() {
        List<String> wrong = new ArrayList<>();
        for (Containment c : SPECS) {
            boolean ours = Pep440Specifier.parse(c.spec()).matches(c.version());
            if (ours != c.contains()) {
                wrong.add("'" + c.spec() + "' on " + c.version() + ": packaging " + c.contains() + ", Airlock " + ours);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
