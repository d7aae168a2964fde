package dev.airlock.sandbox;

import dev.airlock.model.Ecosystem;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How an artifact is installed inside the sandbox, decided from its ecosystem and file name. The file
 * name reaches the container's command line (pip reads a wheel's name), so it is validated here.
 */
enum ArtifactKind {
    NPM("npm", "package.tgz"),
    SDIST("sdist", "package.tar.gz"),
    WHEEL("wheel", null);

    /** Conservative: what PyPI and npm file names actually use; nothing a shell or a path could misread. */
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}");
    /** PEP 427: name-version(-build)?-python-abi-platform.whl. */
    private static final Pattern WHEEL_NAME = Pattern.compile(
            "[A-Za-z0-9_.]+-[A-Za-z0-9_.!+]+(-[0-9][A-Za-z0-9_.]*)?-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+\\.whl");

    private final String argument;
    private final String fixedName;

    ArtifactKind(String argument, String fixedName) {
        this.argument = argument;
        this.fixedName = fixedName;
    }

    /** The kind argument of the in-sandbox init script. */
    String argument() {
        return argument;
    }

    static ArtifactKind of(Path artifact, Ecosystem ecosystem) {
        String name = artifact.getFileName().toString().toLowerCase(Locale.ROOT);
        if (ecosystem == Ecosystem.NPM) {
            return NPM;
        }
        if (name.endsWith(".whl")) {
            return WHEEL;
        }
        if (name.endsWith(".tar.gz") || name.endsWith(".zip") || name.endsWith(".tgz") || name.endsWith(".tar.bz2")) {
            return SDIST;
        }
        throw new IllegalArgumentException("not a wheel or an sdist: " + artifact.getFileName());
    }

    /**
     * The file name the artifact gets inside the container. npm tarballs and sdists get a fixed name
     * (pip takes the sdist's identity from its metadata); a wheel keeps its validated name because pip
     * derives the project and tags from it.
     */
    String containerFileName(Path artifact) {
        String name = artifact.getFileName().toString();
        if (this == SDIST && name.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            return "package.zip";
        }
        if (this == SDIST && name.toLowerCase(Locale.ROOT).endsWith(".tar.bz2")) {
            return "package.tar.bz2";
        }
        if (fixedName != null) {
            return fixedName;
        }
        if (!SAFE_FILE_NAME.matcher(name).matches() || !WHEEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("refusing a wheel whose file name is not a valid wheel name: " + name);
        }
        return name;
    }
}
