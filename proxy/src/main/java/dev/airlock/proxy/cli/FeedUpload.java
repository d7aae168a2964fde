package dev.airlock.proxy.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** What {@code admin feed import} sends: a directory zipped, and the upload's progress on a terminal. */
final class FeedUpload {
    private FeedUpload() {
    }

    /** A directory of OSV records goes up as one zip: the API takes a zip of a directory tree. */
    static byte[] zipDirectory(Path dir) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buf); Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                if (!p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, zip);
                zip.closeEntry();
            }
        }
        return buf.toByteArray();
    }

    /** Upload progress on stderr, redrawn in place; silent when stderr is not a terminal. */
    static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private final long total;
        private long sent;
        private int lastPercent = -1;

        Progress(PrintStream err, boolean terminal, long total) {
            this.err = err;
            this.terminal = terminal;
            this.total = total;
        }

        InputStream wrap(byte[] bytes) {
            return new java.io.ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    int n = super.read(b, off, Math.min(len, 64 * 1024));
                    if (n > 0) {
                        advance(n);
                    }
                    return n;
                }
            };
        }

        private synchronized void advance(int n) {
            sent += n;
            int percent = total == 0 ? 100 : (int) (sent * 100 / total);
            if (terminal && percent != lastPercent) {
                lastPercent = percent;
                err.print(String.format("\ruploading %3d%% (%,d of %,d bytes)", percent, sent, total));
                if (percent == 100) {
                    err.print("; Airlock is importing...");
                }
                err.flush();
            }
        }

        void done() {
            if (terminal && lastPercent >= 0) {
                err.println();
            }
        }
    }
}
