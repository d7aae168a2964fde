package dev.airlock.policy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TyposquatDetectorTest {
    private static TyposquatDetector bundled;

    @BeforeAll
    static void load() {
        bundled = TyposquatDetector.bundled(1);
    }

    @ParameterizedTest(name = "{0}:{1} imitates {2}")
    @CsvSource({
            "npm, loadsh, lodash", "npm, lodahs, lodash", "npm, expresss, express", "npm, crossenv, cross-env",
            "npm, cross_env, cross-env", "npm, react-dom-js, react-dom", "npm, l0dash, lodash", "npm, axois, axios",
            "npm, node-chalk, chalk", "npm, chalk-js, chalk", "pypi, reqeusts, requests", "pypi, requestss, requests",
            "pypi, python-requests, requests", "pypi, numpyy, numpy", "pypi, beautifulsoup5, beautifulsoup4",
            "pypi, urlib3, urllib3", "pypi, djang0, django", "pypi, colorama-py, colorama"})
    void flagsALookAlikeOfAPopularPackage(String eco, String name, String imitated) {
        Optional<TyposquatDetector.Match> m = bundled.check(new PackageId(Ecosystem.parse(eco), name));
        assertTrue(m.isPresent(), name + " was not flagged");
        assertEquals(imitated, m.get().imitated());
    }

    @ParameterizedTest(name = "{0}:{1} is not flagged")
    @CsvSource({"npm, lodash", "npm, react", "npm, react-dom", "npm, debug", "npm, ms", "npm, qs",
            "pypi, requests", "pypi, urllib3", "pypi, six", "pypi, pyyaml", "pypi, python-dateutil",
            "npm, my-very-own-internal-tool", "pypi, acme-billing-client"})
    void leavesEstablishedAndUnrelatedNamesAlone(String eco, String name) {
        assertEquals(Optional.empty(), bundled.check(new PackageId(Ecosystem.parse(eco), name)));
    }

    @Test
    void namesTheKindOfEdit() {
        TyposquatDetector d = TyposquatDetector.of(Map.of(Ecosystem.NPM, List.of("lodash")), 1);
        assertEquals("swapped letters", d.check(new PackageId(Ecosystem.NPM, "lodahs")).orElseThrow().how());
        assertEquals("doubled letter", d.check(new PackageId(Ecosystem.NPM, "loddash")).orElseThrow().how());
        assertEquals("missing letter", d.check(new PackageId(Ecosystem.NPM, "lodsh")).orElseThrow().how());
        assertEquals("one letter changed", d.check(new PackageId(Ecosystem.NPM, "lodask")).orElseThrow().how());
        assertEquals("look-alike characters", d.check(new PackageId(Ecosystem.NPM, "l0dash")).orElseThrow().how());
    }

    @Test
    void largerDistancesScanTheList() {
        TyposquatDetector d = TyposquatDetector.of(Map.of(Ecosystem.PYPI, List.of("requests")), 2);
        assertEquals("requests", d.check(new PackageId(Ecosystem.PYPI, "reqeustz")).orElseThrow().imitated());
    }

    @Test
    void answersFastEnoughForTheMetadataPath() {
        // Distinct names, so no answer comes from the cache.
        int n = 20_000;
        long start = System.nanoTime();
        int flagged = 0;
        for (int i = 0; i < n; i++) {
            if (bundled.check(new PackageId(Ecosystem.NPM, "some-package-name-" + i)).isPresent()) {
                flagged++;
            }
        }
        double micros = (System.nanoTime() - start) / 1000.0 / n;
        System.out.printf("typosquat check: %.1f us per uncached name (%d names, %d flagged)%n", micros, n, flagged);
        assertTrue(micros < 500, "too slow: " + micros + " us per name");
    }
}
