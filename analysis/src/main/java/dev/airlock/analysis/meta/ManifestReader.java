package dev.airlock.analysis.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.archive.ArchiveEntry;
import dev.airlock.analysis.archive.ArtifactContents;
import dev.airlock.common.Json;
import dev.airlock.model.Ecosystem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads package.json, PKG-INFO / METADATA, setup.py / setup.cfg / pyproject.toml and entry points. */
public final class ManifestReader {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final List<String> NPM_INSTALL_HOOKS = List.of("preinstall", "install", "postinstall", "prepare");
    private static final Pattern HEADER = Pattern.compile("^([A-Za-z][A-Za-z0-9-]*):\\s?(.*)$");
    private static final Pattern REQ_NAME = Pattern.compile("^\\s*([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(.*)$");
    private static final Pattern SETUP_KW = Pattern.compile("\\b(name|version)\\s*=\\s*['\"]([^'\"]{1,200})['\"]");
    private static final Pattern TOML_KV = Pattern.compile("^\\s*(name|version)\\s*=\\s*['\"]([^'\"]{1,200})['\"]");
    private static final Pattern INI_KV = Pattern.compile("^\\s*(name|version)\\s*=\\s*(\\S.{0,199})$");
    private static final Pattern ENTRY_POINT = Pattern.compile("^\\s*([^=\\s]+)\\s*=\\s*(\\S.*)$");

    private ManifestReader() {
    }

    /** Guesses the ecosystem from the archive layout: a top-level package.json means npm. */
    public static Ecosystem detect(ArtifactContents contents) {
        if (contents.entry("package.json").isPresent()) {
            return Ecosystem.NPM;
        }
        for (ArchiveEntry e : contents.entries()) {
            String p = e.path();
            if (p.endsWith(".py") || p.equals("PKG-INFO") || p.endsWith(".dist-info/METADATA") || p.equals("setup.cfg")
                    || p.equals("pyproject.toml")) {
                return Ecosystem.PYPI;
            }
        }
        return contents.entries().stream().anyMatch(e -> e.path().endsWith("package.json")) ? Ecosystem.NPM : Ecosystem.PYPI;
    }

    public static PackageManifest read(ArtifactContents contents, Ecosystem ecosystem) {
        return ecosystem == Ecosystem.NPM ? npm(contents) : pypi(contents);
    }

    static String text(ArchiveEntry e) {
        return e.content() == null ? "" : new String(e.content(), StandardCharsets.UTF_8);
    }

    private static PackageManifest npm(ArtifactContents contents) {
        Map<String, String> scripts = new LinkedHashMap<>();
        Map<String, String> deps = new LinkedHashMap<>();
        Map<String, String> bin = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        String name = null;
        String version = null;
        String main = null;
        Optional<ArchiveEntry> pj = contents.entry("package.json");
        if (pj.isPresent() && pj.get().hasContent()) {
            try {
                JsonNode root = JSON.readTree(pj.get().content());
                name = textOrNull(root.get("name"));
                version = textOrNull(root.get("version"));
                main = textOrNull(root.get("main"));
                JsonNode s = root.get("scripts");
                for (String hook : NPM_INSTALL_HOOKS) {
                    if (s != null && s.get(hook) != null && s.get(hook).isTextual()) {
                        scripts.put(hook, s.get(hook).asText());
                    }
                }
                for (String field : List.of("dependencies", "optionalDependencies")) {
                    JsonNode d = root.get(field);
                    if (d != null && d.isObject()) {
                        d.fields().forEachRemaining(f -> deps.put(f.getKey(), f.getValue().asText("")));
                    }
                }
                JsonNode b = root.get("bin");
                if (b != null && b.isTextual() && name != null) {
                    bin.put(name, b.asText());
                } else if (b != null && b.isObject()) {
                    b.fields().forEachRemaining(f -> bin.put(f.getKey(), f.getValue().asText("")));
                }
                if (name != null) {
                    sources.put("package.json", name + "@" + version);
                }
            } catch (java.io.IOException e) {
                // An unreadable package.json leaves the manifest empty; the rules report it.
            }
        }
        return new PackageManifest(Ecosystem.NPM, name, version, scripts, deps, bin, main, List.of(), "package.json", sources);
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isValueNode() ? n.asText() : null;
    }

    private static PackageManifest pypi(ArtifactContents contents) {
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, String> deps = new LinkedHashMap<>();
        Map<String, String> bin = new LinkedHashMap<>();
        Set<String> topLevel = new LinkedHashSet<>();
        String name = null;
        String version = null;
        String manifestPath = null;
        for (ArchiveEntry e : contents.entries()) {
            String p = e.path();
            boolean pkgInfo = p.equals("PKG-INFO") || (p.endsWith(".dist-info/METADATA") && p.indexOf('/') == p.lastIndexOf('/'));
            if (pkgInfo && e.hasContent()) {
                Map<String, List<String>> headers = headers(text(e));
                String n = first(headers, "Name");
                String v = first(headers, "Version");
                if (n != null) {
                    sources.put(p, n + "@" + v);
                    if (name == null) {
                        name = n;
                        version = v;
                        manifestPath = p;
                    }
                }
                for (String req : headers.getOrDefault("Requires-Dist", List.of())) {
                    addRequirement(deps, req);
                }
            } else if (p.endsWith("entry_points.txt") && e.hasContent()) {
                boolean console = false;
                for (String line : text(e).split("\n")) {
                    String t = line.trim();
                    if (t.startsWith("[")) {
                        console = t.equals("[console_scripts]") || t.equals("[gui_scripts]");
                    } else if (console) {
                        Matcher m = ENTRY_POINT.matcher(t);
                        if (m.matches()) {
                            bin.put(m.group(1), m.group(2));
                        }
                    }
                }
            } else if (p.endsWith("top_level.txt") && e.hasContent()) {
                for (String line : text(e).split("\n")) {
                    if (!line.isBlank()) {
                        topLevel.add(line.trim());
                    }
                }
            } else if (p.endsWith("requires.txt") && e.hasContent() && p.indexOf(".egg-info/") > 0) {
                for (String line : text(e).split("\n")) {
                    if (line.startsWith("[")) {
                        break;
                    }
                    addRequirement(deps, line);
                }
            }
        }
        declared(contents, "setup.py", SETUP_KW, sources);
        declaredLines(contents, "pyproject.toml", TOML_KV, sources, "[project]");
        declaredLines(contents, "setup.cfg", INI_KV, sources, "[metadata]");
        if (name == null) {
            for (Map.Entry<String, String> s : sources.entrySet()) {
                int at = s.getValue().lastIndexOf('@');
                name = s.getValue().substring(0, at);
                version = s.getValue().substring(at + 1);
                manifestPath = s.getKey();
                break;
            }
        }
        if (topLevel.isEmpty()) {
            for (ArchiveEntry e : contents.entries()) {
                String p = e.path();
                int slash = p.indexOf('/');
                if (slash > 0 && p.endsWith("/__init__.py") && p.indexOf('/', slash + 1) < 0 && !p.startsWith("test")) {
                    topLevel.add(p.substring(0, slash));
                }
            }
        }
        return new PackageManifest(Ecosystem.PYPI, name, "null".equals(version) ? null : version, Map.of(), deps, bin, null,
                new ArrayList<>(topLevel), manifestPath, sources);
    }

    private static void addRequirement(Map<String, String> deps, String req) {
        Matcher m = REQ_NAME.matcher(req);
        if (m.matches()) {
            deps.put(m.group(1), m.group(2).trim());
        }
    }

    private static void declared(ArtifactContents contents, String path, Pattern kv, Map<String, String> sources) {
        contents.entry(path).filter(ArchiveEntry::hasContent).ifPresent(e -> {
            String name = null;
            String version = null;
            Matcher m = kv.matcher(text(e));
            while (m.find()) {
                if (m.group(1).equals("name") && name == null) {
                    name = m.group(2);
                } else if (m.group(1).equals("version") && version == null) {
                    version = m.group(2);
                }
            }
            if (name != null) {
                sources.put(path, name + "@" + version);
            }
        });
    }

    private static void declaredLines(ArtifactContents contents, String path, Pattern kv, Map<String, String> sources,
                                      String section) {
        contents.entry(path).filter(ArchiveEntry::hasContent).ifPresent(e -> {
            String name = null;
            String version = null;
            boolean in = false;
            for (String line : text(e).split("\n")) {
                String t = line.trim();
                if (t.startsWith("[")) {
                    in = t.equals(section);
                    continue;
                }
                Matcher m = kv.matcher(line);
                if (in && m.matches()) {
                    String v = m.group(2).trim();
                    if (m.group(1).equals("name") && name == null) {
                        name = v;
                    } else if (m.group(1).equals("version") && version == null) {
                        version = v;
                    }
                }
            }
            if (name != null) {
                sources.put(path, name + "@" + version);
            }
        });
    }

    /** RFC 822-style headers up to the first blank line (the description body follows). */
    static Map<String, List<String>> headers(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty()) {
                break;
            }
            Matcher m = HEADER.matcher(line);
            if (m.matches()) {
                out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2).trim());
            }
        }
        return out;
    }

    private static String first(Map<String, List<String>> headers, String key) {
        List<String> v = headers.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
