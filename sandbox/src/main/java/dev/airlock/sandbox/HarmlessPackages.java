package dev.airlock.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Packages that do nothing but install and import: their runs record only the runtime's own noise,
 * which becomes the baseline subtracted from real packages' reports. Each kind exercises the same code
 * paths as a real one (an npm lifecycle script, a setup.py build, a wheel install).
 */
public final class HarmlessPackages {
    private HarmlessPackages() {
    }

    public static Path npm(Path dir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("package/package.json", "{\"name\":\"airlock-harmless\",\"version\":\"1.0.0\",\"main\":\"index.js\","
                + "\"scripts\":{\"postinstall\":\"node postinstall.js\"}}\n");
        files.put("package/postinstall.js", "const path = require('path');\nconsole.log(path.join('a', 'b'));\n");
        files.put("package/index.js", "module.exports = { answer: 42 };\n");
        return Archives.tarGz(dir.resolve("airlock-harmless-1.0.0.tgz"), files);
    }

    public static Path sdist(Path dir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        String root = "airlock_harmless-1.0.0/";
        files.put(root + "setup.py", "from setuptools import setup\nsetup(name='airlock_harmless', version='1.0.0', "
                + "packages=['airlock_harmless'])\n");
        files.put(root + "PKG-INFO", "Metadata-Version: 2.1\nName: airlock_harmless\nVersion: 1.0.0\n");
        files.put(root + "airlock_harmless/__init__.py", "ANSWER = 42\n");
        return Archives.tarGz(dir.resolve("airlock_harmless-1.0.0.tar.gz"), files);
    }

    public static Path wheel(Path dir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        String info = "airlock_harmless-1.0.0.dist-info/";
        files.put("airlock_harmless/__init__.py", "ANSWER = 42\n");
        files.put(info + "METADATA", "Metadata-Version: 2.1\nName: airlock-harmless\nVersion: 1.0.0\n");
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: airlock\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        files.put(info + "top_level.txt", "airlock_harmless\n");
        files.put(info + "RECORD", "airlock_harmless/__init__.py,,\n" + info + "METADATA,,\n" + info + "WHEEL,,\n"
                + info + "top_level.txt,,\n" + info + "RECORD,,\n");
        return Archives.zip(dir.resolve("airlock_harmless-1.0.0-py3-none-any.whl"), files);
    }

    static Path forKind(ArtifactKind kind, Path dir) throws IOException {
        switch (kind) {
            case NPM:
                return npm(dir);
            case SDIST:
                return sdist(dir);
            case WHEEL:
                return wheel(dir);
            default:
                throw new IllegalArgumentException(kind.name());
        }
    }
}
