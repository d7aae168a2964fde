package dev.airlock.analysis.meta;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.analysis.archive.ArchiveEntry;
import dev.airlock.analysis.archive.ArtifactContents;
import dev.airlock.common.Json;
import dev.airlock.model.Ecosystem;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Who an artifact names as its author or maintainer in its own metadata: npm's {@code author}, PyPI's
 * {@code Author-email} / {@code Author} / {@code Maintainer-email}. An e-mail address when there is one
 * (a name is easily the same for two people), lower-cased; null when the artifact names nobody.
 */
public final class Publisher {
    private Publisher() {
    }

    public static String of(ArtifactContents contents, Ecosystem ecosystem) {
        return ecosystem == Ecosystem.NPM ? npm(contents) : pypi(contents);
    }

    private static String npm(ArtifactContents contents) {
        Optional<ArchiveEntry> pj = contents.entry("package.json");
        if (pj.isEmpty() || !pj.get().hasContent()) {
            return null;
        }
        try {
            JsonNode author = Json.MAPPER.readTree(pj.get().content()).get("author");
            if (author == null) {
                return null;
            }
            if (author.isTextual()) {
                String a = author.asText();
                int lt = a.indexOf('<');
                int gt = a.indexOf('>', lt + 1);
                return normal(lt >= 0 && gt > lt ? a.substring(lt + 1, gt) : a);
            }
            JsonNode email = author.get("email");
            JsonNode name = author.get("name");
            return normal(email != null && email.isTextual() ? email.asText() : name != null && name.isTextual() ? name.asText() : null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String pypi(ArtifactContents contents) {
        for (ArchiveEntry e : contents.entries()) {
            String p = e.path();
            if (!e.hasContent() || !(p.equals("PKG-INFO") || p.endsWith(".dist-info/METADATA") || p.endsWith("/PKG-INFO")
                    && p.chars().filter(c -> c == '/').count() == 1)) {
                continue;
            }
            String email = null;
            String name = null;
            for (String line : ManifestReader.text(e).split("\n", 200)) {
                if (line.isBlank()) {
                    break;
                }
                String l = line.strip();
                if (email == null && (l.startsWith("Author-email:") || l.startsWith("Maintainer-email:"))) {
                    email = l.substring(l.indexOf(':') + 1).strip();
                } else if (name == null && l.startsWith("Author:")) {
                    name = l.substring(7).strip();
                }
            }
            String who = email != null && !email.isEmpty() ? email : name;
            if (who != null && !who.isEmpty() && !who.equalsIgnoreCase("UNKNOWN")) {
                int lt = who.indexOf('<');
                int gt = who.indexOf('>', lt + 1);
                return normal(lt >= 0 && gt > lt ? who.substring(lt + 1, gt) : who);
            }
        }
        return null;
    }

    private static String normal(String s) {
        return s == null || s.isBlank() ? null : s.strip().toLowerCase(Locale.ROOT);
    }
}
