package dev.airlock.analysis.archive;

import dev.airlock.analysis.Finding;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Reads npm tarballs, sdists and wheels entry by entry into memory, never onto disk. The format
 * comes from the magic bytes, not the file name: malware is often misnamed. Nothing an entry says
 * about where it wants to live (absolute paths, {@code ..}, links, devices) is ever acted on; such
 * entries are skipped and reported.
 */
public final class ArchiveReader {
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final Set<String> TEXT_SUFFIXES = Set.of(
            ".js", ".cjs", ".mjs", ".ts", ".json", ".py", ".pyw", ".pth", ".cfg", ".toml", ".txt", ".sh", ".bash",
            ".bat", ".cmd", ".ps1", ".vbs", ".in", ".ini", ".yml", ".yaml");
    private static final Set<String> TEXT_NAMES = Set.of("PKG-INFO", "METADATA", "RECORD", "WHEEL", "setup.py",
            "entry_points.txt", "top_level.txt", "requires.txt", "Makefile", "binding.gyp");
    private static final int HEAD_BYTES = 64;
    private static final int RATIO_FLOOR = 1 << 20;

    private final ArchiveLimits limits;

    public ArchiveReader(ArchiveLimits limits) {
        this.limits = limits;
    }

    /** Never throws for hostile or broken content; only a file that cannot be opened at all is an IOException. */
    public ArtifactContents read(Path file) throws IOException {
        long compressed = Math.max(1, Files.size(file));
        byte[] magic = new byte[262];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(magic, 0, magic.length);
        }
        Session s = new Session(compressed);
        String format = detect(magic, n);
        s.format = format;
        try {
            switch (format) {
                case "zip" -> readZip(file, s);
                case "tar.gz" -> readTar(file, s, in -> new GzipCompressorInputStream(in, true));
                case "tar.bz2" -> readTar(file, s, BZip2CompressorInputStream::new);
                case "tar.xz" -> readTar(file, s, XZCompressorInputStream::new);
                case "tar" -> readTar(file, s, in -> in);
                default -> {
                    s.finding("archive_unreadable", "medium", "The file is not a tar, gzip, bzip2, xz or zip archive.",
                            "magic bytes " + hex(magic, Math.min(n, 8)), null);
                    s.complete = false;
                }
            }
        } catch (LimitExceeded e) {
            s.complete = false;
        } catch (IOException | RuntimeException | LinkageError e) {
            s.complete = false;
            s.finding("archive_corrupt", "medium", "The archive is corrupt or truncated; reading stopped.",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
        stripCommonRoot(s.entries);
        return new ArtifactContents(format, s.entries, s.findings, s.complete);
    }

    private static String detect(byte[] magic, int n) {
        if (n >= 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 || magic[2] == 5)) {
            return "zip";
        }
        if (n >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return "tar.gz";
        }
        if (n >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return "tar.bz2";
        }
        if (n >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X') {
            return "tar.xz";
        }
        if (n >= 262 && new String(magic, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return "tar";
        }
        return "unknown";
    }

    private interface Decompressor {
        InputStream open(InputStream in) throws IOException;
    }

    private void readTar(Path file, Session s, Decompressor decompressor) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65536);
             TarArchiveInputStream tar = new TarArchiveInputStream(decompressor.open(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (!s.countEntry(name)) {
                    return;
                }
                if (e.isDirectory()) {
                    continue;
                }
                if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    s.finding("archive_device_file", "high", "The archive contains a device or FIFO entry, never a part of a real package.",
                            name, name);
                    continue;
                }
                if (e.isSymbolicLink() || e.isLink()) {
                    checkLink(s, name, e.getLinkName());
                    continue;
                }
                String safe = safePath(s, name);
                if (safe == null) {
                    continue;
                }
                boolean exec = (e.getMode() & 0111) != 0;
                s.add(safe, name, tar, e.getSize(), exec);
            }
        }
    }

    private void readZip(Path file, Session s) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder();
            while (all.hasMoreElements()) {
                ZipArchiveEntry e = all.nextElement();
                String name = e.getName();
                if (!s.countEntry(name)) {
                    return;
                }
                if (e.isDirectory()) {
                    continue;
                }
                if (e.isUnixSymlink()) {
                    String target;
                    try (InputStream in = BoundedInputStream.builder().setInputStream(zip.getInputStream(e)).setMaxCount(4096).get()) {
                        target = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    checkLink(s, name, target);
                    continue;
                }
                String safe = safePath(s, name);
                if (safe == null) {
                    continue;
                }
                boolean exec = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && (e.getUnixMode() & 0111) != 0;
                try (InputStream in = zip.getInputStream(e)) {
                    s.add(safe, name, in, e.getSize(), exec);
                }
            }
        }
    }

    private static void checkLink(Session s, String name, String target) {
        String dir = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
        if (target == null || target.startsWith("/") || WINDOWS_DRIVE.matcher(target).matches()
                || normalize(dir + target) == null) {
            s.finding("archive_link_outside", "high", "The archive contains a link pointing outside the package.",
                    name + " -> " + target, name);
        }
    }

    /** The cleaned relative path, or null (and a finding) when the entry tries to leave the package. */
    private static String safePath(Session s, String name) {
        if (name.startsWith("/") || name.startsWith("\\") || WINDOWS_DRIVE.matcher(name).matches()) {
            s.finding("archive_absolute_path", "high", "The archive contains an entry with an absolute path.", name, name);
            return null;
        }
        String norm = normalize(name.replace('\\', '/'));
        if (norm == null) {
            s.finding("archive_path_traversal", "high", "The archive contains an entry that climbs out with '..'.", name, name);
            return null;
        }
        return norm;
    }

    /** Resolves . and .. segments; null when the path climbs above its root. */
    static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(seg);
            }
        }
        return String.join("/", parts);
    }

    private static void stripCommonRoot(List<ArchiveEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        String first = entries.get(0).path();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            return;
        }
        String root = first.substring(0, slash + 1);
        for (ArchiveEntry e : entries) {
            if (!e.path().startsWith(root)) {
                return;
            }
        }
        entries.replaceAll(e -> new ArchiveEntry(e.path().substring(root.length()), e.rawPath(), e.size(), e.content(),
                e.head(), e.executable()));
    }

    static boolean isText(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (TEXT_NAMES.contains(name)) {
            return true;
        }
        int dot = name.lastIndexOf('.');
        return dot >= 0 && TEXT_SUFFIXES.contains(name.substring(dot).toLowerCase(Locale.ROOT));
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }

    private static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LimitExceeded() {
            super(null, null, false, false);
        }
    }

    private final class Session {
        final long compressed;
        final List<ArchiveEntry> entries = new ArrayList<>();
        final List<Finding> findings = new ArrayList<>();
        boolean complete = true;
        long total;
        /** Bytes held in memory for this artifact: kept text and entry heads. */
        long retained;
        int count;
        String format = "unknown";

        Session(long compressed) {
            this.compressed = compressed;
        }

        void finding(String rule, String severity, String message, String evidence, String location) {
            if (findings.size() < 50) {
                findings.add(new Finding(rule, severity, "static", message, evidence, location));
            }
        }

        boolean countEntry(String name) {
            if (++count > limits.maxEntries()) {
                bomb("more than " + limits.maxEntries() + " entries", name);
            }
            return true;
        }

        /** Accounts for {@code n} more bytes held in memory, or stops reading when the cap would be crossed. */
        void retain(long n, String name) {
            if (retained + n > limits.maxRetainedBytes()) {
                finding("archive_too_large", "medium", "The archive holds more text than Airlock analyses in memory ("
                        + limits.maxRetainedBytes() + " bytes); reading stopped and the rest was not analysed.",
                        "over " + limits.maxRetainedBytes() + " bytes kept after " + entries.size() + " entries", name);
                throw new LimitExceeded();
            }
            retained += n;
        }

        void bomb(String why, String name) {
            finding("archive_bomb", "high", "The archive unpacks beyond safe limits (" + why + "); reading stopped.",
                    why, name);
            throw new LimitExceeded();
        }

        void add(String path, String rawName, InputStream in, long declared, boolean exec) throws IOException {
            if (declared > limits.maxEntryBytes()) {
                bomb("entry of " + declared + " bytes", rawName);
            }
            boolean keep = isText(path);
            ByteArrayOutputStream kept = new ByteArrayOutputStream(keep ? (int) Math.min(Math.max(declared, 256), 1 << 16) : 0);
            byte[] head = new byte[0];
            byte[] buf = new byte[16384];
            long size = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                if (size == 0) {
                    retain(Math.min(r, HEAD_BYTES), rawName);
                    head = java.util.Arrays.copyOf(buf, Math.min(r, HEAD_BYTES));
                }
                size += r;
                total += r;
                if (size > limits.maxEntryBytes()) {
                    bomb("entry larger than " + limits.maxEntryBytes() + " bytes", rawName);
                }
                if (total > limits.maxTotalBytes()) {
                    bomb("more than " + limits.maxTotalBytes() + " bytes in all", rawName);
                }
                if (total > RATIO_FLOOR && total / compressed > limits.maxRatio()) {
                    bomb("compression ratio above " + limits.maxRatio() + ":1", rawName);
                }
                if (keep) {
                    if (size <= limits.maxKeptBytes()) {
                        retain(r, rawName);
                        kept.write(buf, 0, r);
                    } else {
                        // The entry grew past what is kept: what it held is released again.
                        retained -= kept.size();
                        keep = false;
                        kept = null;
                    }
                }
            }
            entries.add(new ArchiveEntry(path, rawName, size, keep ? kept.toByteArray() : null, head, exec));
        }
    }
}
