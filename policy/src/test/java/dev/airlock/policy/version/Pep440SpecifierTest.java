package dev.airlock.policy.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.model.Ecosystem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Pep440SpecifierTest {
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            ">=1.0,<2; 1.5; true", ">=1.0,<2; 2.0; false", ">=1.0,<2; 0.9; false", "<2; 2.0rc1; false",
            "<2; 1.9.9; true", "<2.0rc2; 2.0rc1; true", ">1.0; 1.0.post1; false", ">1.0.post1; 1.0.post2; true",
            ">1.0; 1.1; true", "~=2.2; 2.9; true", "~=2.2; 3.0; false", "~=1.4.5; 1.4.9; true", "~=1.4.5; 1.5.0; false",
            "==1.4.*; 1.4.7; true", "==1.4.*; 1.5; false", "!=1.5.*; 1.5.2; false", "!=1.5.*; 1.6; true",
            "==1.0; 1.0.0; true", "==1.0; 1.0+local.1; true", "==1.0+local.1; 1.0; false", "!=1.0; 1.0.0; false",
            "<=1.0; 1.0; true", "===1.0-foo; 1.0-FOO; true", "==1.0a1; 1.0.alpha.1; true", "==1!2.0; 2.0; false",
            ">=1.0.dev0; 1.0a1; true", "1.2.3; 1.2.3; true", ">=2; not a version; false"})
    void matchesLikePip(String spec, String version, boolean expected) {
        assertEquals(expected, VersionMatcher.parse(Ecosystem.PYPI, spec).matches(version));
    }

    @Test
    void ordersVersionsAsPep440Says() {
        List<String> expected = List.of("1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0a1.post0", "1.0b1", "1.0rc1", "1.0",
                "1.0+local", "1.0.post0.dev0", "1.0.post0", "1.1.dev0", "1.1", "1!0.1");
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(VersionOrder.of(Ecosystem.PYPI));
        assertEquals(expected, shuffled);
    }

    @Test
    void rejectsAnOperatorItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> Pep440Specifier.parse("=>1.0"));
        assertThrows(IllegalArgumentException.class, () -> Pep440Specifier.parse("~=1"));
    }
}
