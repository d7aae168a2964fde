package dev.airlock.proxy.npm;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Set;

/**
 * The filtered document written by one streaming pass of tokens from the upstream bytes to a
 * generator, holding at most one {@code dist} object as a tree: the abbreviated form (only some
 * fields of each version), one version's document, and the full form when the copy has no byte
 * layout ({@link PackumentSplice} makes it otherwise).
 */
final class PackumentRegenerator {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Fields of a version kept in the abbreviated ("corgi") form, as the registry does. */
    private static final Set<String> ABBREVIATED_VERSION_FIELDS = Set.of("name", "version", "dist", "deprecated",
            "dependencies", "optionalDependencies", "devDependencies", "peerDependencies", "peerDependenciesMeta",
            "bundleDependencies", "bundledDependencies", "bin", "directories", "engines", "cpu", "os", "libc",
            "_hasShrinkwrap", "hasInstallScript", "acceptDependencies", "funding");
    private static final Set<String> INSTALL_SCRIPTS = Set.of("preinstall", "install", "postinstall");

    private PackumentRegenerator() {
    }

    /** The same document by one pass of tokens from the parser to a generator (the abbreviated form, and the reference). */
    static byte[] regenerate(NpmPackageName name, Packument doc, PackumentFilter.Verdicts verdicts, NpmLinks links, boolean abbreviated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, abbreviated ? doc.raw().length / 3 : doc.raw().length));
        try (JsonParser p = Packument.JSON.createParser(doc.raw()); JsonGenerator g = Packument.JSON.createGenerator(out)) {
            p.nextToken();
            g.writeStartObject();
            if (abbreviated) {
                writeAbbreviatedHead(name, doc, verdicts, g);
            }
            boolean versions = false;
            boolean tags = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("versions")) {
                    versions = true;
                    g.writeFieldName("versions");
                    writeVersions(name, p, g, verdicts.shown(), links, abbreviated);
                } else if (abbreviated) {
                    p.skipChildren();
                } else if (field.equals("time")) {
                    g.writeFieldName("time");
                    writeTime(p, g, verdicts.shown());
                } else if (field.equals("dist-tags")) {
                    tags = true;
                    p.skipChildren();
                    g.writeFieldName("dist-tags");
                    g.writeTree(verdicts.tags());
                } else {
                    g.writeFieldName(field);
                    g.copyCurrentStructure(p);
                }
            }
            if (!versions) {
                g.writeFieldName("versions");
                g.writeStartObject();
                g.writeEndObject();
            }
            if (!tags && !abbreviated) {
                g.writeFieldName("dist-tags");
                g.writeTree(verdicts.tags());
            }
            g.writeEndObject();
        } catch (IOException e) {
            // The bytes were parsed once already when they were indexed: failing now is a bug, not bad input.
            throw new UncheckedIOException("cannot render packument of " + name.full(), e);
        }
        return out.toByteArray();
    }

    /** One shown version as {@code GET /<name>/<version>} answers it, or null when the document lacks it. */
    static byte[] versionDocument(NpmPackageName name, Packument doc, String version, NpmLinks links) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonParser p = Packument.JSON.createParser(doc.raw()); JsonGenerator g = Packument.JSON.createGenerator(out)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("versions")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String v = p.currentName();
                    p.nextToken();
                    if (v.equals(version) && p.currentToken() == JsonToken.START_OBJECT) {
                        writeVersion(name, v, p, g, links, false);
                        g.flush();
                        return out.toByteArray();
                    }
                    p.skipChildren();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a version of " + name.full(), e);
        }
    }

    /**
     * {@code name}, a truthful {@code modified} and the tags first, as the registry orders them.
     * The upstream's {@code modified} stays (it is no earlier than any shown version); without
     * one, the latest publish time of a shown version, so age checks never see a younger document
     * as an older one.
     */
    private static void writeAbbreviatedHead(NpmPackageName name, Packument doc, PackumentFilter.Verdicts verdicts, JsonGenerator g)
            throws IOException {
        g.writeStringField("name", doc.name() != null ? doc.name() : name.full());
        String modified = doc.time().get("modified");
        if (modified == null) {
            modified = doc.topLevelModified();
        }
        if (modified == null) {
            Instant latest = null;
            for (String v : verdicts.shown()) {
                Instant t = doc.publishTime(v);
                if (t != null && (latest == null || t.isAfter(latest))) {
                    latest = t;
                }
            }
            modified = latest == null ? null : latest.toString();
        }
        if (modified != null) {
            g.writeStringField("modified", modified);
        }
        g.writeFieldName("dist-tags");
        g.writeTree(verdicts.tags());
    }

    private static void writeVersions(NpmPackageName name, JsonParser p, JsonGenerator g, Set<String> shown, NpmLinks links,
                                      boolean abbreviated) throws IOException {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String v = p.currentName();
            p.nextToken();
            if (!shown.contains(v) || p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            g.writeFieldName(v);
            writeVersion(name, v, p, g, links, abbreviated);
        }
        g.writeEndObject();
    }

    /** Copies one version object (the parser on its START_OBJECT), rewriting its {@code dist}. */
    private static void writeVersion(NpmPackageName name, String version, JsonParser p, JsonGenerator g, NpmLinks links,
                                     boolean abbreviated) throws IOException {
        g.writeStartObject();
        boolean dist = false;
        boolean hasInstallScript = false;
        boolean installScripts = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("dist")) {
                dist = true;
                g.writeFieldName("dist");
                g.writeTree(rewriteDist(name, version, p.readValueAsTree(), links));
            } else if (abbreviated && !ABBREVIATED_VERSION_FIELDS.contains(f)) {
                if (f.equals("scripts") && p.currentToken() == JsonToken.START_OBJECT) {
                    installScripts = hasInstallScripts(p.readValueAsTree());
                } else {
                    p.skipChildren();
                }
            } else {
                hasInstallScript |= f.equals("hasInstallScript");
                g.writeFieldName(f);
                g.copyCurrentStructure(p);
            }
        }
        if (!dist) {
            g.writeFieldName("dist");
            g.writeTree(rewriteDist(name, version, null, links));
        }
        if (abbreviated && installScripts && !hasInstallScript) {
            g.writeBooleanField("hasInstallScript", true);
        }
        g.writeEndObject();
    }

    private static boolean hasInstallScripts(JsonNode scripts) {
        for (String s : INSTALL_SCRIPTS) {
            if (scripts.hasNonNull(s)) {
                return true;
            }
        }
        return false;
    }

    /** A copy of {@code dist} with Airlock's URLs; every other field (integrity, signatures, ...) as it was. */
    private static ObjectNode rewriteDist(NpmPackageName name, String version, JsonNode dist, NpmLinks links) {
        ObjectNode d = dist instanceof ObjectNode o ? o : F.objectNode();
        d.put("tarball", links.tarball(name, version, d.path("tarball").isTextual() ? d.get("tarball").asText() : null));
        JsonNode att = d.get("attestations");
        if (att instanceof ObjectNode a && a.path("url").isTextual()) {
            String ours = links.attestations(name, version, a.get("url").asText());
            if (ours != null) {
                a.put("url", ours);
            }
        }
        return d;
    }

    /** Keeps {@code created}, {@code modified} and the entries of shown versions; hidden versions' entries go. */
    private static void writeTime(JsonParser p, JsonGenerator g, Set<String> shown) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            g.copyCurrentStructure(p);
            return;
        }
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            if (k.equals("created") || k.equals("modified") || shown.contains(k)) {
                g.writeFieldName(k);
                g.copyCurrentStructure(p);
            } else {
                p.skipChildren();
            }
        }
        g.writeEndObject();
    }
}
