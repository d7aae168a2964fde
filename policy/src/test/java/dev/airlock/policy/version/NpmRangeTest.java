package dev.airlock.policy.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.model.Ecosystem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NpmRangeTest {
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(delimiter = ';', value = {
            "^1.2.3; 1.2.3; true", "^1.2.3; 1.9.0; true", "^1.2.3; 2.0.0; false", "^1.2.3; 1.2.2; false",
            "^1.2.3; 2.0.0-beta.1; false", "^0.2.3; 0.2.9; true", "^0.2.3; 0.3.0; false", "^0.0.3; 0.0.4; false",
            "~1.2.3; 1.2.9; true", "~1.2.3; 1.3.0; false", "~1; 1.9.9; true", "~1; 2.0.0; false",
            ">=1.0.0 <2.0.0; 1.5.0; true", ">=1.0.0 <2.0.0; 2.0.0; false", ">= 1.0.0 < 2; 1.0.0; true",
            "1.2.x; 1.2.7; true", "1.2.x; 1.3.0; false", "1.x || >=3.1; 1.0.0; true", "1.x || >=3.1; 2.5.0; false",
            "1.x || >=3.1; 3.1.0; true", "1.2.3 - 2.3; 2.3.9; true", "1.2.3 - 2.3; 2.4.0; false",
            "1.2.3 - 2.3.4; 2.3.4; true", "1.2.3 - 2.3.4; 2.3.5; false", "=1.0.0; 1.0.0; true", "1.0.0; 1.0.1; false",
            "v1.0.0; 1.0.0; true", "<1.0.0; 1.0.0-rc.1; true", ">1.2; 1.3.0; true", ">1.2; 1.2.9; false",
            "<=1.2; 1.2.9; true", "<=1.2; 1.3.0; false", "*; 0.0.1-alpha; true", "1.0.0-beta.2; 1.0.0-beta.2; true",
            ">=1.0.0-alpha.1; 1.0.0-alpha.beta; true", ">1.0.0-alpha.10; 1.0.0-alpha.9; false",
            "^2; not-a-version; false"})
    void matchesLikeNpm(String range, String version, boolean expected) {
        assertEquals(expected, VersionMatcher.parse(Ecosystem.NPM, range).matches(version));
    }

    @Test
    void rejectsGarbageWithTheRangeInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpmRange.parse(">=1.0.0 <<2"));
        assertEquals(true, e.getMessage().contains(">=1.0.0 <<2"));
    }

    @Test
    void ordersPrereleasesBeforeTheRelease() {
        assertEquals(-1, Integer.signum(VersionOrder.of(Ecosystem.NPM).compare("1.0.0-rc.1", "1.0.0")));
        assertEquals(-1, Integer.signum(VersionOrder.of(Ecosystem.NPM).compare("1.0.0-alpha", "1.0.0-alpha.1")));
        assertEquals(1, Integer.signum(VersionOrder.of(Ecosystem.NPM).compare("1.10.0", "1.9.0")));
    }
}
