package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * npm fixtures: an unscoped package in two versions, a scoped package, and a package whose
 * served tarball does not match the integrity its packument publishes. No lifecycle scripts.
 */
final class NpmFixtures {
    static final String PLAIN = "airlock-e2e-pkg";
    static final String SCOPED = "@airlock-e2e/scoped";
    static final String TAMPERED = "airlock-e2e-tampered";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One published version.
     *
     * @param published the bytes the integrity was computed over
     * @param served    the bytes the upstream actually sends (differs only for the tampered package)
     */
    record NpmVersion(String name, String version, byte[] published, byte[] served, Instant time) {
        String integrity() {
            return Digests.sri512(published);
        }

        String shasum() {
            return Digests.sha1Hex(published);
        }

        /** Conventional file name: the scope is not part of it. */
        String fileName() {
            String bare = name.startsWith("@") ? name.substring(name.indexOf('/') + 1) : name;
            return bare + "-" + version + ".tgz";
        }

        /** Path below the registry base, e.g. {@code @scope/name/-/name-1.0.0.tgz}. */
        String tarballPath() {
            return name + "/-/" + fileName();
        }
    }

    private NpmFixtures() {
    }

    static List<NpmVersion> versions() {
        List<NpmVersion> all = new ArrayList<>();
        all.add(honest(PLAIN, "1.0.0", Instant.parse("2024-02-01T10:00:00.000Z")));
        all.add(honest(PLAIN, "1.1.0", Instant.parse("2024-05-01T10:00:00.000Z")));
        all.add(honest(SCOPED, "1.0.0", Instant.parse("2024-03-01T10:00:00.000Z")));
        byte[] published = tarball(TAMPERED, "1.0.0", "module.exports = 'honest';\n");
        byte[] served = tarball(TAMPERED, "1.0.0", "module.exports = 'tampered';\n");
        all.add(new NpmVersion(TAMPERED, "1.0.0", published, served, Instant.parse("2024-04-01T10:00:00.000Z")));
        return List.copyOf(all);
    }

    private static NpmVersion honest(String name, String version, Instant time) {
        byte[] bytes = tarball(name, version, "module.exports = { version: '" + version + "' };\n");
        return new NpmVersion(name, version, bytes, bytes, time);
    }

    static byte[] tarball(String name, String version, String indexJs) {
        ObjectNode pkg = manifest(name, version);
        return new TarGz()
                .add("package/package.json", pkg.toPrettyString())
                .add("package/index.js", indexJs)
                .toBytes();
    }

    private static ObjectNode manifest(String name, String version) {
        ObjectNode pkg = JSON.createObjectNode();
        pkg.put("name", name);
        pkg.put("version", version);
        pkg.put("description", "Airlock end-to-end test fixture");
        pkg.put("main", "index.js");
        pkg.put("license", "Apache-2.0");
        return pkg;
    }

    /**
     * The full packument (with {@code time}, readme) or the abbreviated install form.
     *
     * @param tarballBase upstream registry base ending in {@code /}
     */
    static ObjectNode packument(String name, List<NpmVersion> all, String tarballBase, boolean abbreviated) {
        List<NpmVersion> mine = all.stream().filter(v -> v.name().equals(name)).toList();
        NpmVersion latest = mine.get(mine.size() - 1);
        Instant modified = latest.time().plusSeconds(60);
        ObjectNode doc = JSON.createObjectNode();
        if (!abbreviated) {
            doc.put("_id", name);
            doc.put("_rev", "3-0123456789abcdef");
        }
        doc.put("name", name);
        if (abbreviated) {
            doc.put("modified", modified.toString());
        }
        doc.putObject("dist-tags").put("latest", latest.version());
        ObjectNode versions = doc.putObject("versions");
        for (NpmVersion v : mine) {
            ObjectNode m = abbreviated ? JSON.createObjectNode() : manifest(name, v.version());
            if (abbreviated) {
                m.put("name", name);
                m.put("version", v.version());
            } else {
                m.put("_id", name + "@" + v.version());
            }
            ObjectNode dist = m.putObject("dist");
            dist.put("tarball", tarballBase + v.tarballPath());
            dist.put("shasum", v.shasum());
            dist.put("integrity", v.integrity());
            dist.putArray("signatures").addObject().put("keyid", RegistrySigningKey.KEY_ID)
                    .put("sig", RegistrySigningKey.sign(name, v.version(), v.integrity()));
            dist.put("fileCount", 2);
            dist.put("unpackedSize", 300);
            versions.set(v.version(), m);
        }
        if (!abbreviated) {
            Map<String, String> time = new LinkedHashMap<>();
            time.put("created", mine.get(0).time().toString());
            time.put("modified", modified.toString());
            mine.forEach(v -> time.put(v.version(), v.time().toString()));
            ObjectNode t = doc.putObject("time");
            time.forEach(t::put);
            doc.put("description", "Airlock end-to-end test fixture");
            doc.put("readme", "# " + name + "\n");
            doc.put("license", "Apache-2.0");
        }
        return doc;
    }
}
