package dev.airlock.proxy.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upstream packument as Airlock keeps it: the raw bytes (what is filtered and rendered, in one
 * streaming pass, by {@link PackumentFilter}) and a small index of what the serving path asks
 * about every version (publish time, tarball URL, digests, the tags). A parsed tree of a 10 MB
 * packument costs many times its size in heap and most of its parse time; the index is built by
 * one streaming pass that skips everything else.
 */
public final class Packument implements dev.airlock.proxy.upstream.MetadataCache.Sized {
    static final ObjectMapper JSON = dev.airlock.common.Json.newMapper(JsonFactory.builder()
            // Two values for one key would let the index and the rendered document disagree on a version.
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    /** Rough heap of one indexed version (strings and map entry), for the cache weigher. */
    private static final int VERSION_OVERHEAD = 950;

    /**
     * What the serving path needs of one version, worked out once per upstream copy rather than
     * per download. {@code object} false: the entry is not a JSON object.
     *
     * @param published the registry's publish time, or null when it has none or an unreadable one
     * @param expected  the digest to verify the tarball with, or null when integrity and shasum are both unusable
     */
    public record Version(String version, boolean object, String tarball, String integrity, String shasum,
                          Instant published, ExpectedDigest expected) {
    }

    private final byte[] raw;
    private final String name;
    private final String modified;
    private final Map<String, Version> versions;
    private final Map<String, String> time;
    private final ObjectNode distTags;
    /** Where each part is in {@link #raw}, or null when the bytes were not read as bytes. */
    private final PackumentLayout layout;

    private Packument(byte[] raw, String name, String modified, Map<String, Version> versions, Map<String, String> time,
                      ObjectNode distTags, PackumentLayout layout) {
        this.layout = layout;
        this.raw = raw;
        this.name = name;
        this.modified = modified;
        this.versions = Collections.unmodifiableMap(versions);
        this.time = Collections.unmodifiableMap(time);
        this.distTags = distTags;
    }

    /** Parses and indexes; anything but a JSON object whose {@code versions} and {@code time} are objects is malformed. */
    public static Packument parse(byte[] body) throws MalformedMetadataException {
        String name = null;
        String modified = null;
        Map<String, Version> versions = new LinkedHashMap<>();
        Map<String, String> time = new LinkedHashMap<>();
        ObjectNode tags = JsonNodeFactory.instance.objectNode();
        PackumentLayout layout = new PackumentLayout();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedMetadataException("packument is not a JSON object");
            }
            if (PackumentLayout.start(p) < 0) {
                layout = null; // not read as bytes: rendered by re-generation instead
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                int fieldStart = layout == null ? -1 : PackumentLayout.start(p);
                JsonToken t = p.nextToken();
                int valueStart = layout == null ? -1 : PackumentLayout.start(p);
                switch (field) {
                    case "name" -> name = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "modified" -> modified = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "versions" -> {
                        if (t != JsonToken.START_OBJECT) {
                            throw new MalformedMetadataException("packument 'versions' is not an object");
                        }
                        readVersions(p, versions, layout);
                    }
                    case "time" -> {
                        if (t != JsonToken.START_OBJECT) {
                            throw new MalformedMetadataException("packument 'time' is not an object");
                        }
                        readTime(p, time, layout);
                    }
                    case "dist-tags" -> {
                        JsonNode n = p.readValueAsTree();
                        if (n instanceof ObjectNode o) {
                            tags = o;
                        }
                    }
                    default -> p.skipChildren();
                }
                if (layout != null) {
                    layout.fields.add(new PackumentLayout.Field(field, fieldStart, valueStart, PackumentLayout.end(p),
                            t == JsonToken.START_OBJECT));
                }
            }
            if (p.nextToken() != null) {
                throw new MalformedMetadataException("packument has content after its object");
            }
        } catch (MalformedMetadataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MalformedMetadataException("packument is not JSON: " + e.getMessage(), e);
        }
        // time may come before or after versions in the document: publish times are joined in at the end.
        for (Map.Entry<String, Version> e : versions.entrySet()) {
            Version v = e.getValue();
            Instant published = parseTime(time.get(v.version()));
            if (published != null) {
                e.setValue(new Version(v.version(), v.object(), v.tarball(), v.integrity(), v.shasum(), published, v.expected()));
            }
        }
        return new Packument(body, name, modified, versions, time, tags, layout);
    }

    private static void readTime(JsonParser p, Map<String, String> time, PackumentLayout layout) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            int start = layout == null ? -1 : PackumentLayout.start(p);
            if (p.nextToken() == JsonToken.VALUE_STRING) {
                time.put(k, p.getText());
            } else {
                p.skipChildren();
            }
            if (layout != null) {
                layout.time.add(new PackumentLayout.TimeSpan(k, start, PackumentLayout.end(p)));
            }
        }
    }

    private static Instant parseTime(String t) {
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static ExpectedDigest expected(String integrity, String shasum) {
        try {
            return ExpectedDigest.fromNpmDist(integrity, shasum);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void readVersions(JsonParser p, Map<String, Version> out, PackumentLayout layout) throws IOException {
        Map<String, String> dist = new java.util.HashMap<>(4);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String v = p.currentName();
            int start = layout == null ? -1 : PackumentLayout.start(p);
            p.nextToken();
            dist.clear();
            PackumentLayout.VersionSpan span = PackumentLayout.version(p, start, dist);
            if (layout != null) {
                layout.versions.put(v, span);
            }
            if (!span.object()) {
                out.put(v, new Version(v, false, null, null, null, null, null));
                continue;
            }
            String integrity = dist.get("integrity");
            String shasum = dist.get("shasum");
            out.put(v, new Version(v, true, span.tarball(), integrity, shasum, null, expected(integrity, shasum)));
        }
    }

    private volatile String digest;

    /** The SHA-256 of the upstream bytes in hex, worked out once per copy (what filtered documents are made from). */
    public String digest() {
        String d = digest;
        if (d == null) {
            d = dev.airlock.common.Hashes.sha256Hex(raw);
            digest = d;
        }
        return d;
    }

    /** Where each part of the raw bytes is, or null. */
    PackumentLayout layout() {
        return layout;
    }

    /** The upstream bytes, exactly as received. */
    byte[] raw() {
        return raw;
    }

    /** The top-level {@code name}, or null. */
    public String name() {
        return name;
    }

    /** The top-level {@code modified} (abbreviated documents carry one), or null. */
    String topLevelModified() {
        return modified;
    }

    /** Every version in upstream order. */
    public Map<String, Version> versions() {
        return versions;
    }

    public Version version(String v) {
        return versions.get(v);
    }

    /** The textual entries of {@code time} (versions, {@code created}, {@code modified}). */
    public Map<String, String> time() {
        return time;
    }

    /** The upstream's tags; shared, never to be modified. */
    ObjectNode distTags() {
        return distTags;
    }

    /** The version a tag names, or the argument itself when it is no tag. */
    public String resolveTag(String versionOrTag) {
        JsonNode t = distTags.get(versionOrTag);
        return t != null && t.isTextual() ? t.asText() : versionOrTag;
    }

    /** The registry's publish time of a version, or null when it has none or an unreadable one. */
    public Instant publishTime(String version) {
        Version v = versions.get(version);
        return v != null ? v.published() : parseTime(time.get(version));
    }

    /** Heap this copy takes, roughly: the bytes plus the index (the metadata cache's weigher). */
    @Override
    public int weight() {
        long w = (long) raw.length + (long) versions.size() * VERSION_OVERHEAD + (long) time.size() * 160 + 1024;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }
}
