package dev.airlock.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PackageCoordinateTest {
    @Test
    void pypiNamesAreNormalisedSoSpellingsShareOneVerdict() {
        assertEquals(PackageCoordinate.of(Ecosystem.PYPI, "Foo.Bar__baz", "1.0"),
                PackageCoordinate.of(Ecosystem.PYPI, "foo-bar-baz", "1.0"));
    }

    @Test
    void npmScopedNamesRoundTripThroughTheirTextForm() {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "@Acme/Util", "1.2.3-beta.1");
        assertEquals("npm:@acme/util@1.2.3-beta.1", c.toString());
        assertEquals(c, PackageCoordinate.parse(c.toString()));
    }

    @Test
    void namesAndVersionsThatCouldEscapeAPathOrACommandAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PackageCoordinate.of(Ecosystem.NPM, "../etc", "1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> PackageCoordinate.of(Ecosystem.NPM, "a b", "1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> PackageCoordinate.of(Ecosystem.PYPI, "-x", "1.0"));
        assertThrows(IllegalArgumentException.class, () -> PackageCoordinate.of(Ecosystem.PYPI, "ok", "1.0;rm -rf"));
        assertThrows(IllegalArgumentException.class, () -> PackageCoordinate.of(Ecosystem.PYPI, "ok", "../1"));
        assertThrows(IllegalArgumentException.class, () -> Ecosystem.parse("maven"));
    }
}
