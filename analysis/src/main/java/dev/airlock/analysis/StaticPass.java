package dev.airlock.analysis;

import dev.airlock.analysis.archive.ArchiveEntry;
import dev.airlock.analysis.archive.ArtifactContents;
import dev.airlock.analysis.code.JsFacts;
import dev.airlock.analysis.code.PythonFacts;
import dev.airlock.analysis.code.SourceFacts;
import dev.airlock.analysis.meta.PackageManifest;
import dev.airlock.analysis.rules.CodeRules;
import dev.airlock.analysis.rules.Hit;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.PackageRules;
import dev.airlock.model.Ecosystem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The static pass over an artifact's code: which files run on install (followed from npm's lifecycle
 * scripts and their local requires, or setup.py and the modules it imports), which on import (every
 * module outside test and doc trees, npm's main), and which only when called; each scanned by the code
 * rules in that context.
 */
final class StaticPass {
    private static final Pattern PY_SUFFIX = Pattern.compile("\\.pyw?$");
    private static final Pattern SCRIPT_FILE = Pattern.compile(
            "(?:^|[;&|]\\s*|\\s)(?:node|sh|bash|python3?)\\s+(?:--?[\\w-]+\\s+)*([\\w./@-]+\\.(?:c?js|mjs|sh|py))");
    private static final Pattern NODE_INLINE = Pattern.compile("node\\s+-e\\s+(['\"])(.*)\\1");
    private static final Pattern NODE_MAIN = Pattern.compile("(?:^|[;&|]\\s*)node\\s+\\.(?:\\s|$)");
    private static final Pattern LOCAL_REQUIRE = Pattern.compile("^\\.{1,2}/.*");
    private static final Pattern SKIPPED_DIR = Pattern.compile("(?:^|/)(?:tests?|testing|docs?|examples?|benchmarks?|__tests__)/");
    private static final long MAX_SOURCE_BYTES = 12L << 20;
    private static final int MAX_INSTALL_FILES = 25;

    private StaticPass() {
    }

    /** Adds the package, manifest-level and code hits of one artifact. */
    static void run(ArtifactContents contents, PackageManifest manifest, Ecosystem eco, dev.airlock.model.PackageCoordinate expected,
                    List<Hit> hits) {
        PackageRules.archive(contents, hits);
        PackageRules.manifest(manifest, expected, hits);
        PackageRules.version(manifest, hits);
        List<String> installText = new ArrayList<>();
        if (eco == Ecosystem.NPM) {
            npm(contents, manifest, hits, installText);
        } else {
            pypi(contents, hits, installText);
        }
        PackageRules.nativeBinaries(contents, installText, hits);
    }

    private static void npm(ArtifactContents contents, PackageManifest m, List<Hit> hits, List<String> installText) {
        PackageRules.npmScripts(m, hits);
        Set<String> installFiles = new LinkedHashSet<>();
        for (String cmd : m.installScripts().values()) {
            installText.add(cmd);
            Matcher f = SCRIPT_FILE.matcher(cmd);
            while (f.find()) {
                installFiles.add(clean(f.group(1)));
            }
            if (NODE_MAIN.matcher(cmd).find()) {
                installFiles.add(m.main() == null ? "index.js" : clean(m.main()));
            }
            Matcher inline = NODE_INLINE.matcher(cmd);
            if (inline.find()) {
                SourceFacts facts = JsFacts.extract("package.json:scripts", inline.group(2));
                CodeRules.scan(facts, Context.INSTALL, "install", hits);
                facts.imports.keySet().stream().filter(r -> LOCAL_REQUIRE.matcher(r).matches())
                        .forEach(r -> installFiles.add(clean(r)));
            }
        }
        Set<String> done = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(installFiles);
        while (!todo.isEmpty() && done.size() < MAX_INSTALL_FILES) {
            String path = todo.poll();
            ArchiveEntry e = resolveJs(contents, path);
            if (e == null || !done.add(e.path())) {
                continue;
            }
            String text = new String(e.content(), StandardCharsets.UTF_8);
            installText.add(text);
            SourceFacts facts = e.path().endsWith(".py") ? PythonFacts.extract(e.path(), text) : JsFacts.extract(e.path(), text);
            CodeRules.scan(facts, Context.INSTALL, "install", hits);
            String dir = e.path().contains("/") ? e.path().substring(0, e.path().lastIndexOf('/') + 1) : "";
            for (String req : facts.imports.keySet()) {
                if (LOCAL_REQUIRE.matcher(req).matches()) {
                    todo.add(clean(dir + req));
                }
            }
        }
        String main = m.main() == null ? "index.js" : clean(m.main());
        ArchiveEntry mainEntry = resolveJs(contents, main);
        long budget = MAX_SOURCE_BYTES;
        for (ArchiveEntry e : contents.entries()) {
            String p = e.path();
            if (!e.hasContent() || done.contains(p) || !(p.endsWith(".js") || p.endsWith(".cjs") || p.endsWith(".mjs"))
                    || p.startsWith("node_modules/") || budget <= 0) {
                continue;
            }
            budget -= e.content().length;
            boolean isMain = mainEntry != null && mainEntry.path().equals(p);
            SourceFacts facts = JsFacts.extract(p, new String(e.content(), StandardCharsets.UTF_8));
            CodeRules.scan(facts, isMain ? Context.IMPORT : Context.RUNTIME, p, hits);
        }
    }

    private static void pypi(ArtifactContents contents, List<Hit> hits, List<String> installText) {
        Set<String> installModules = new LinkedHashSet<>();
        ArchiveEntry setup = contents.entry("setup.py").orElse(null);
        if (setup != null && setup.hasContent()) {
            String text = new String(setup.content(), StandardCharsets.UTF_8);
            installText.add(text);
            SourceFacts facts = PythonFacts.extract("setup.py", text);
            CodeRules.scan(facts, Context.INSTALL, "install", hits);
            facts.imports.keySet().forEach(i -> installModules.add(i.split("\\.")[0]));
        }
        long budget = MAX_SOURCE_BYTES;
        for (ArchiveEntry e : contents.entries()) {
            String p = e.path();
            if (!e.hasContent() || p.equals("setup.py") || budget <= 0) {
                continue;
            }
            if (p.endsWith(".pth")) {
                String text = new String(e.content(), StandardCharsets.UTF_8);
                boolean code = text.lines().anyMatch(l -> l.startsWith("import ") || l.startsWith("import\t"));
                if (code) {
                    installText.add(text);
                    hits.add(new Hit(new Finding("pth_code", "medium", "static",
                            "A .pth file runs code at every interpreter start.", text.lines().filter(l -> l.startsWith("import"))
                            .findFirst().orElse(""), p + ":1"), Hit.Role.CAPABILITY, Context.INSTALL, "install"));
                    CodeRules.scan(PythonFacts.extract(p, text), Context.INSTALL, "install", hits);
                }
                continue;
            }
            if (!(p.endsWith(".py") || p.endsWith(".pyw"))) {
                continue;
            }
            budget -= e.content().length;
            String mod = p.contains("/") ? p.substring(0, p.indexOf('/')) : PY_SUFFIX.matcher(p).replaceAll("");
            boolean installHelper = installModules.contains(mod) && !p.contains("/") ;
            // Module-level statements of any module run when it is imported; test and doc trees are not imported by users.
            boolean importTime = !SKIPPED_DIR.matcher("/" + p).find();
            Context ctx = installHelper ? Context.INSTALL : importTime ? Context.IMPORT : Context.RUNTIME;
            SourceFacts facts = PythonFacts.extract(p, new String(e.content(), StandardCharsets.UTF_8));
            CodeRules.scan(facts, ctx, ctx == Context.INSTALL ? "install" : p, hits);
        }
    }

    private static ArchiveEntry resolveJs(ArtifactContents contents, String path) {
        for (String candidate : List.of(path, path + ".js", path + "/index.js", path + ".cjs")) {
            ArchiveEntry e = contents.entry(candidate).orElse(null);
            if (e != null && e.hasContent()) {
                return e;
            }
        }
        return null;
    }

    private static String clean(String path) {
        String p = path.startsWith("./") ? path.substring(2) : path;
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else if (!s.isEmpty() && !s.equals(".")) {
                parts.add(s);
            }
        }
        return String.join("/", parts);
    }
}
