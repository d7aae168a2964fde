package dev.airlock.proxy.npm;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The full form of a filtered packument made from the upstream bytes by copying what stays and
 * writing only what changes: hidden versions and their {@code time} entries left out, the tags
 * re-pointed, tarball and attestation URLs pointed at Airlock. No parse and no re-generation of
 * the document per render: for a 10 MB packument that is a copy of 10 MB instead of a pass of
 * tokens through Jackson. The JSON is the same document the token-based renderer writes, with the
 * upstream's own spacing kept.
 */
final class PackumentSplice {
    private static final byte[] VERSIONS = bytes("\"versions\":");
    private static final byte[] TIME = bytes("\"time\":");
    private static final byte[] TAGS = bytes("\"dist-tags\":");
    private static final byte[] DIST = bytes("\"dist\":");
    private static final byte[] TARBALL = bytes("\"tarball\":");

    private PackumentSplice() {
    }

    /** The full form, or null when the copy has no byte layout (then the token-based renderer is used). */
    static byte[] full(NpmPackageName name, Packument doc, PackumentFilter.Verdicts verdicts, NpmLinks links) {
        PackumentLayout layout = doc.layout();
        if (layout == null) {
            return null;
        }
        byte[] raw = doc.raw();
        Out out = new Out(raw, raw.length);
        byte[] tags = json(verdicts.tags());
        out.write('{');
        boolean first = true;
        boolean versions = false;
        boolean tagsWritten = false;
        for (PackumentLayout.Field f : layout.fields) {
            if (!first) {
                out.write(',');
            }
            first = false;
            switch (f.name()) {
                case "versions" -> {
                    versions = true;
                    out.write(VERSIONS);
                    writeVersions(name, layout, verdicts.shown(), links, out);
                }
                case "time" -> {
                    // An object: the index refuses a document whose time is anything else.
                    out.write(TIME);
                    writeTime(layout, verdicts.shown(), out);
                }
                case "dist-tags" -> {
                    tagsWritten = true;
                    out.write(TAGS);
                    out.write(tags);
                }
                default -> out.copy(f.start(), f.end());
            }
        }
        if (!versions) {
            out.write(first ? "" : ",");
            out.write(VERSIONS);
            out.write("{}");
            first = false;
        }
        if (!tagsWritten) {
            out.write(first ? "" : ",");
            out.write(TAGS);
            out.write(tags);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void writeVersions(NpmPackageName name, PackumentLayout layout, Set<String> shown, NpmLinks links,
                                      Out out) {
        out.write('{');
        boolean first = true;
        for (var e : layout.versions.entrySet()) {
            PackumentLayout.VersionSpan v = e.getValue();
            if (!v.object() || !shown.contains(e.getKey())) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            writeVersion(name, e.getKey(), v, links, out);
        }
        out.write('}');
    }

    /** One version entry with its dist pointing at Airlock (a dist or a tarball field added when missing). */
    private static void writeVersion(NpmPackageName name, String version, PackumentLayout.VersionSpan v, NpmLinks links,
                                     Out out) {
        byte[] tarball = string(links.tarball(name, version, v.tarball()));
        if (v.distStart() < 0) {
            out.copy(v.start(), v.close());
            out.write(v.empty() ? "" : ",");
            out.write(DIST);
            out.write('{');
            out.write(TARBALL);
            out.write(tarball);
            out.write('}');
            out.copy(v.close(), v.end());
            return;
        }
        if (!v.distObject()) {
            out.copy(v.start(), v.distStart());
            out.write('{');
            out.write(TARBALL);
            out.write(tarball);
            out.write('}');
            out.copy(v.distEnd(), v.end());
            return;
        }
        byte[] attestation = null;
        if (v.attestation() != null) {
            String ours = links.attestations(name, version, v.attestation());
            attestation = ours == null ? null : string(ours);
        }
        int at = v.start();
        // The two replacements inside dist, in the order they appear.
        boolean attFirst = attestation != null && v.tarballStart() >= 0 && v.attestationStart() < v.tarballStart();
        if (attFirst) {
            at = replace(out, at, v.attestationStart(), v.attestationEnd(), attestation);
        }
        if (v.tarballStart() >= 0) {
            at = replace(out, at, v.tarballStart(), v.tarballEnd(), tarball);
        }
        if (attestation != null && !attFirst) {
            at = replace(out, at, v.attestationStart(), v.attestationEnd(), attestation);
        }
        if (v.tarballStart() < 0) {
            out.copy(at, v.distClose());
            out.write(v.distEmpty() ? "" : ",");
            out.write(TARBALL);
            out.write(tarball);
            at = v.distClose();
        }
        out.copy(at, v.end());
    }

    private static int replace(Out out, int from, int start, int end, byte[] with) {
        out.copy(from, start);
        out.write(with);
        return end;
    }

    /** Keeps {@code created}, {@code modified} and the entries of shown versions. */
    private static void writeTime(PackumentLayout layout, Set<String> shown, Out out) {
        out.write('{');
        boolean first = true;
        for (PackumentLayout.TimeSpan t : layout.time) {
            if (t.key().equals("created") || t.key().equals("modified") || shown.contains(t.key())) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.copy(t.start(), t.end());
            }
        }
        out.write('}');
    }

    private static byte[] string(String s) {
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] b = new byte[quoted.length + 2];
        b[0] = '"';
        System.arraycopy(quoted, 0, b, 1, quoted.length);
        b[b.length - 1] = '"';
        return b;
    }

    private static byte[] json(ObjectNode node) {
        try {
            return Packument.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A growing byte buffer that copies ranges of the raw document. */
    private static final class Out extends ByteArrayOutputStream {
        private final byte[] raw;

        Out(byte[] raw, int size) {
            super(Math.max(256, size));
            this.raw = raw;
        }

        void copy(int from, int to) {
            write(raw, from, to - from);
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        void write(String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                write(ascii.charAt(i));
            }
        }
    }
}
