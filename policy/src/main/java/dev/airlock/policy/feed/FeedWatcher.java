package dev.airlock.policy.feed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports the {@code .json} and {@code .zip} files under the feeds directory at startup and
 * whenever one appears or changes. Polls (size and modification time) rather than using a
 * WatchService: it sees files in sub-directories, on network mounts and written by tools that
 * rename into place alike. A side path: a bad file is logged and skipped, never stops Airlock.
 */
public final class FeedWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeedWatcher.class);
    private static final int MAX_FILES = 200_000;

    /** Imports one file's bytes; {@code source} names the file in the audit log. */
    @FunctionalInterface
    public interface Importer {
        MalwareFeed.ImportReport importDocument(byte[] bytes, String source) throws IOException;
    }

    private final Path dir;
    private final Importer importer;
    private final Map<Path, String> seen = new HashMap<>();
    private final ScheduledExecutorService timer;

    private FeedWatcher(Path dir, Importer importer) {
        this.dir = dir;
        this.importer = importer;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "osv-feed-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Scans once now (so blocks are in place before the first request) and then every {@code intervalMs}. */
    public static FeedWatcher start(Path dir, Importer importer, long intervalMs) {
        FeedWatcher w = new FeedWatcher(dir, importer);
        w.scan();
        w.timer.scheduleWithFixedDelay(w::scan, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        return w;
    }

    /** One pass over the directory; returns the number of files imported. */
    public synchronized int scan() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int imported = 0;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(FeedWatcher::isFeedFile).limit(MAX_FILES).sorted().toList();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot list the feeds directory {}: {}", dir, e.toString());
            return 0;
        }
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                String stamp = a.size() + "@" + a.lastModifiedTime().toMillis();
                if (stamp.equals(seen.get(f))) {
                    continue;
                }
                MalwareFeed.ImportReport r = importer.importDocument(Files.readAllBytes(f), "file:" + dir.relativize(f));
                seen.put(f, stamp);
                imported++;
                if (r.imported() + r.updated() + r.withdrawn() > 0 || !r.errors().isEmpty()) {
                    LOG.info("OSV feed {}: {} new, {} updated, {} withdrawn, {} unchanged, {} errors", f, r.imported(),
                            r.updated(), r.withdrawn(), r.unchanged(), r.errors().size());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping OSV feed file {}: {}", f, e.getMessage());
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    // Not retried until it changes: a broken file would otherwise be logged every poll.
                    seen.put(f, a.size() + "@" + a.lastModifiedTime().toMillis());
                } catch (IOException ignored) {
                    seen.remove(f);
                }
            }
        }
        return imported;
    }

    private static boolean isFeedFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".json") || n.endsWith(".zip");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
