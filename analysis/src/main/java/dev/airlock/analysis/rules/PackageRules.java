package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.archive.ArchiveEntry;
import dev.airlock.analysis.archive.ArtifactContents;
import dev.airlock.analysis.meta.PackageManifest;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageNames;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rules about the package as a whole: archive hostility, install scripts, binaries, manifests, versions. */
public final class PackageRules {
    private static final Pattern VERSION_MAJOR = Pattern.compile("^v?(\\d+)(?:\\.(\\d+))?");
    private static final Pattern SHELL_NET = Pattern.compile("(?i)\\b(curl|wget|nc|ncat|netcat|telnet|ssh|scp|ftp|powershell|Invoke-WebRequest)\\b");
    private static final Pattern SHELL_EXEC = Pattern.compile("(?i)(\\bbase64\\s+(?:-d|--decode)|\\beval\\b|\\bsh\\s+-c\\b|\\bbash\\s+-c\\b|\\bchmod\\s+\\+x|/dev/tcp/)");
    private static final Pattern BENIGN_SCRIPT = Pattern.compile(
            "^(?:node-gyp(?:-build)?(?:\\s+rebuild)?|prebuild-install(?:\\s.*)?|node-pre-gyp\\s+install.*|husky(?:\\s+install)?"
            + "|patch-package|opencollective(?:-postinstall)?.*|npm run build|tsc|ngcc.*)$");

    private static final Pattern NINES = Pattern.compile("^9{2,}$");
    private static final Pattern LOADED_LIBRARY = Pattern.compile("(?i)\\.(?:node|dll|so(?:\\.\\d+)*|dylib|pyd)$");

    private PackageRules() {
    }

    public static void archive(ArtifactContents contents, List<Hit> out) {
        for (Finding f : contents.findings()) {
            Role role = switch (f.rule()) {
                case "archive_path_traversal", "archive_absolute_path", "archive_device_file" -> Role.VERDICT_MALICIOUS;
                case "archive_link_outside", "archive_bomb", "archive_too_large" -> Role.VERDICT_SUSPICIOUS;
                default -> Role.INFO;
            };
            out.add(new Hit(f, role, Context.PACKAGE, "archive"));
        }
    }

    /** Reports install scripts and what their shell text does; returns nothing: the files they run are scanned by the caller. */
    public static void npmScripts(PackageManifest m, List<Hit> out) {
        for (Map.Entry<String, String> s : m.installScripts().entrySet()) {
            String cmd = s.getValue().trim();
            String location = "package.json:scripts." + s.getKey();
            out.add(new Hit(new Finding("install_script", "low", "metadata",
                    "The package runs a '" + s.getKey() + "' script on install.", clip(cmd), location),
                    Role.INFO, Context.INSTALL, "install"));
            if (BENIGN_SCRIPT.matcher(cmd).matches()) {
                continue;
            }
            Matcher net = SHELL_NET.matcher(cmd);
            if (net.find()) {
                out.add(new Hit(new Finding("install_script_network", "medium", "static",
                        "The '" + s.getKey() + "' script uses a network tool (" + net.group(1) + ").", clip(cmd), location),
                        Role.CAPABILITY, Context.INSTALL, "install"));
            }
            Matcher ex = SHELL_EXEC.matcher(cmd);
            if (ex.find()) {
                out.add(new Hit(new Finding("install_script_shell", "medium", "static",
                        "The '" + s.getKey() + "' script evaluates or decodes shell code (" + ex.group(1) + ").", clip(cmd), location),
                        Role.CAPABILITY, Context.INSTALL, "install"));
            }
            CodeRules.literalThreats(CodeRules.shellFacts("package.json", cmd), cmd, 1, Context.INSTALL, "install", out, 0);
            out.replaceAll(h -> h.finding().location() != null && h.finding().location().equals("package.json:1")
                    ? new Hit(new Finding(h.finding().rule(), h.finding().severity(), h.finding().source(), h.finding().message(),
                    clip(cmd), location), h.role(), h.context(), h.group()) : h);
        }
    }

    public static void nativeBinaries(ArtifactContents contents, List<String> installText, List<Hit> out) {
        int reported = 0;
        boolean installAtInstallReported = false;
        for (ArchiveEntry e : contents.entries()) {
            String kind = binaryKind(e.head());
            if (kind == null) {
                continue;
            }
            // Node addons and shared libraries are loaded by the module that ships them (node-gyp, prebuild-install,
            // node-pre-gyp and bindings put them there); only a program the install code names by path is run by it.
            boolean library = LOADED_LIBRARY.matcher(e.fileName()).find();
            boolean usedAtInstall = !library && !installAtInstallReported && installText.stream()
                    .anyMatch(t -> t.contains(e.path()) || t.contains("/" + e.fileName()) || t.contains("\\" + e.fileName()));
            if (usedAtInstall) {
                installAtInstallReported = true;
                out.add(new Hit(new Finding("native_binary_at_install", "high", "static",
                        "Install-time code refers to a bundled " + kind + " executable.", e.path(), e.path()),
                        Role.THREAT, Context.INSTALL, "install"));
            } else if (reported++ < 5) {
                out.add(new Hit(new Finding("native_binary", "info", "static", "The package bundles a " + kind + " binary.",
                        e.path() + " (" + e.size() + " bytes)", e.path()), Role.INFO, Context.PACKAGE, "binaries"));
            }
        }
    }

    static String binaryKind(byte[] h) {
        if (h == null || h.length < 4) {
            return null;
        }
        if (h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') {
            return "ELF";
        }
        if (h[0] == 'M' && h[1] == 'Z') {
            return "Windows PE";
        }
        int be = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        if (be == 0xfeedface || be == 0xfeedfacf || be == 0xcefaedfe || be == 0xcffaedfe) {
            return "Mach-O";
        }
        return null;
    }

    /** Manifests inside the artifact must agree with each other and with what the registry said. */
    public static void manifest(PackageManifest m, PackageCoordinate expected, List<Hit> out) {
        if (m.name() == null) {
            out.add(new Hit(new Finding("manifest_missing", "medium", "metadata",
                    "No readable manifest names this package.", "", null), Role.INFO, Context.PACKAGE, "manifest"));
            return;
        }
        String norm = normalized(m.ecosystem(), m.name());
        for (Map.Entry<String, String> s : m.sources().entrySet()) {
            String other = s.getValue().substring(0, s.getValue().lastIndexOf('@'));
            if (!normalized(m.ecosystem(), other).equals(norm)) {
                out.add(new Hit(new Finding("manifest_disagreement", "medium", "metadata",
                        "Two manifests in the artifact name different packages.",
                        m.manifestPath() + ": " + m.name() + " vs " + s.getKey() + ": " + other, s.getKey()),
                        Role.INFO, Context.PACKAGE, "manifest"));
                break;
            }
        }
        if (expected != null) {
            boolean nameOk = norm.equals(expected.name());
            boolean versionOk = m.version() == null || m.version().equals(expected.version())
                    || m.ecosystem() == Ecosystem.PYPI && stripZeros(m.version()).equals(stripZeros(expected.version()));
            if (!nameOk || !versionOk) {
                out.add(new Hit(new Finding("manifest_registry_mismatch", "high", "metadata",
                        "The artifact's manifest disagrees with the registry metadata.",
                        "artifact " + m.name() + "@" + m.version() + ", registry " + expected.name() + "@" + expected.version(),
                        m.manifestPath()), Role.VERDICT_SUSPICIOUS, Context.PACKAGE, "manifest"));
            }
        }
    }

    /** Dependency confusion pushes a huge version to win resolution against an internal package. */
    public static void version(PackageManifest m, List<Hit> out) {
        if (m.version() == null) {
            return;
        }
        Matcher v = VERSION_MAJOR.matcher(m.version());
        if (!v.find()) {
            return;
        }
        long major = v.group(1).length() > 9 ? Long.MAX_VALUE : Long.parseLong(v.group(1));
        // Browsers and their drivers are past major 140 and counting; confusion packages pick 99, 999, 9999 or
        // a number in the thousands that is no year (1900-2100) and no date (19000000-21000000).
        boolean nines = NINES.matcher(v.group(1)).matches();
        if (nines || major >= 1000 && major < 1900 || major > 2100 && major < 19000000 || major > 21000000) {
            out.add(new Hit(new Finding("dependency_confusion_version", "medium", "metadata",
                    "The version number is far above anything a normal release uses, typical of dependency confusion.",
                    m.version(), m.manifestPath()), Role.THREAT, Context.PACKAGE, "version"));
        }
    }

    private static String normalized(Ecosystem e, String name) {
        return e == Ecosystem.PYPI ? PackageNames.normalizePypi(name) : name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String stripZeros(String v) {
        return v.replaceAll("(\\.0+)+$", "");
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }
}
