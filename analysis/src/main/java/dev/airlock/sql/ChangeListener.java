package dev.airlock.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN} on a connection of its own, on a thread of its own: hands the notifications that
 * arrived together to the subscriber as one batch and reconnects (after a pause) when the connection breaks. Notifications sent
 * while it was down are lost, which is why the subscriber is told after every (re)connection and
 * also reconciles on a timer.
 */
public final class ChangeListener implements AutoCloseable {
    /** One notification: its channel and payload. */
    public record Notification(String channel, String payload) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);
    private static final int POLL_MS = 250;
    private static final long RECONNECT_PAUSE_MS = 1_000;

    private final String name;
    private final StoreUrl url;
    private final List<String> channels;
    private final Consumer<List<Notification>> onNotification;
    private final Runnable onConnected;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    private ChangeListener(String name, StoreUrl url, List<String> channels, Consumer<List<Notification>> onNotification,
                           Runnable onConnected) {
        this.name = name;
        this.url = url;
        this.channels = List.copyOf(channels);
        this.onNotification = onNotification;
        this.onConnected = onConnected;
        this.thread = new Thread(this::run, "store-listen-" + name);
        this.thread.setDaemon(true);
    }

    static ChangeListener start(String name, StoreUrl url, List<String> channels, Consumer<List<Notification>> onNotification,
                                Runnable onConnected) {
        ChangeListener l = new ChangeListener(name, url, channels, onNotification, onConnected);
        l.thread.start();
        return l;
    }

    private void run() {
        while (!closed) {
            try (Connection c = connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    for (String ch : channels) {
                        s.execute("LISTEN " + ch);
                    }
                }
                safely(onConnected);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] got = pg.getNotifications(POLL_MS);
                    if (got == null) {
                        continue;
                    }
                    List<Notification> batch = new ArrayList<>(got.length);
                    for (PGNotification n : got) {
                        batch.add(new Notification(n.getName(), n.getParameter()));
                    }
                    try {
                        onNotification.accept(batch);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: handling {} change notification(s) failed (the reconcile catches up): {}", name,
                                batch.size(), e.toString());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("{}: change notifications interrupted ({}); reconnecting in {} ms", name, e.getMessage(),
                        RECONNECT_PAUSE_MS);
                try {
                    Thread.sleep(RECONNECT_PAUSE_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (url.user() != null) {
            p.setProperty("user", url.user());
        }
        if (url.password() != null) {
            p.setProperty("password", url.password());
        }
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url.jdbcUrl(), p);
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: catching up after (re)connecting failed (the reconcile retries): {}", name, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the listen connection: {}", e.toString());
            }
        }
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
