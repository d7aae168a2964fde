package dev.airlock.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening port's TLS: a certificate chain and key from PEM files, checked for a change every
 * {@code reloadInterval} off the event loop. New connections get the newest certificate; open
 * ones keep the one they shook hands with. A broken new pair (a half-written file, a key that
 * does not match) is logged and the previous pair stays in use, so a renewal mistake never takes
 * the port down.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private final Path cert;
    private final Path key;
    private final ScheduledExecutorService watcher;
    private volatile SslContext context;
    private volatile List<Object> stamp;

    private ServerTls(Path cert, Path key, SslContext first, List<Object> stamp, Duration reloadInterval) {
        this.cert = cert;
        this.key = key;
        this.context = first;
        this.stamp = stamp;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reload");
            t.setDaemon(true);
            return t;
        });
        long every = reloadInterval.toMillis();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads the pair now; a missing or unreadable file is an error at startup, where it is cheap to fix.
     *
     * @throws IllegalArgumentException the files are not a usable PEM certificate chain and PKCS#8 key
     */
    public static ServerTls load(Path cert, Path key, Duration reloadInterval) {
        try {
            List<Object> stamp = stamp(cert, key);
            return new ServerTls(cert, key, build(cert, key), stamp, reloadInterval);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read TLS files: " + e.getMessage(), e);
        }
    }

    private static SslContext build(Path cert, Path key) throws IOException {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile()).build();
        } catch (IOException | RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IOException(cert + " / " + key + " are not a PEM certificate chain and a matching unencrypted "
                    + "PKCS#8 private key (BEGIN PRIVATE KEY; convert others with openssl pkcs8 -topk8 -nocrypt): "
                    + root.getMessage(), e);
        }
    }

    /** Modification time and size of both files: a renewal changes at least one. */
    private static List<Object> stamp(Path cert, Path key) throws IOException {
        return List.of(Files.getLastModifiedTime(cert), Files.size(cert), Files.getLastModifiedTime(key), Files.size(key));
    }

    /** A handler for one new connection, with the certificate current at this moment. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** Checks the files now (the timer calls this; tests may too). True when a new pair was taken. */
    public boolean reloadIfChanged() {
        try {
            List<Object> now = stamp(cert, key);
            if (now.equals(stamp)) {
                return false;
            }
            SslContext next = build(cert, key);
            context = next;
            stamp = now;
            LOG.info("TLS certificate reloaded from {}", cert);
            return true;
        } catch (IOException | RuntimeException e) {
            // Not remembered as seen: the next check tries again, e.g. once the key file is written too.
            LOG.warn("TLS certificate not reloaded, the previous one stays in use: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
