package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airlock.model.Ecosystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxInputsTest {
    @Test
    void findsTheDebianMirrorInDeb822Sources() {
        List<String> sources = List.of(
                "Types: deb",
                "URIs: http://mirror.invalid/debian",
                "Suites: bookworm bookworm-updates",
                "Components: main",
                "",
                "Types: deb",
                "URIs: http://mirror.invalid/debian-security",
                "Suites: bookworm-security",
                "Components: main");
        assertEquals(Optional.of("http://mirror.invalid/debian"), DebianMirror.fromDeb822(sources, "bookworm"));
        assertEquals(Optional.empty(), DebianMirror.fromDeb822(sources, "trixie"));
    }

    @Test
    void findsTheDebianMirrorInAOneLineSourcesList() {
        List<String> sources = List.of("# comment", "deb [arch=amd64] http://mirror.invalid/debian bookworm main contrib",
                "deb http://mirror.invalid/debian-security bookworm-security main");
        assertEquals(Optional.of("http://mirror.invalid/debian"), DebianMirror.fromOneLine(sources, "bookworm"));
    }

    @Test
    void keepsAValidWheelNameAndGivesOtherArtifactsFixedNames() {
        Path wheel = Path.of("demo_pkg-1.0.0-py3-none-any.whl");
        assertEquals(ArtifactKind.WHEEL, ArtifactKind.of(wheel, Ecosystem.PYPI));
        assertEquals("demo_pkg-1.0.0-py3-none-any.whl", ArtifactKind.WHEEL.containerFileName(wheel));
        assertEquals("package.tar.gz", ArtifactKind.SDIST.containerFileName(Path.of("weird name;rm -rf.tar.gz")));
        assertEquals("package.tgz", ArtifactKind.NPM.containerFileName(Path.of("$(x).tgz")));
    }

    @Test
    void refusesAWheelWhoseNameCouldReachACommandLine() {
        assertThrows(IllegalArgumentException.class,
                () -> ArtifactKind.WHEEL.containerFileName(Path.of("x;touch y-1.0-py3-none-any.whl")));
        assertThrows(IllegalArgumentException.class,
                () -> ArtifactKind.WHEEL.containerFileName(Path.of("-rf-1.0-py3-none-any.whl")));
        assertThrows(IllegalArgumentException.class, () -> ArtifactKind.of(Path.of("notes.txt"), Ecosystem.PYPI));
    }

    @Test
    void refusesAnImageTagThatIsNotOne() {
        ImageBuilder.validateTag("airlock-sandbox:0.1.0-SNAPSHOT");
        assertThrows(IllegalArgumentException.class, () -> ImageBuilder.validateTag("airlock-sandbox"));
        assertThrows(IllegalArgumentException.class, () -> ImageBuilder.validateTag("x:y; rm -rf /"));
    }
}
