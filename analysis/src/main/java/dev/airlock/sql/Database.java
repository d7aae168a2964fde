package dev.airlock.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.airlock.config.StoreConfig;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared PostgreSQL database of a multi-node deployment: a connection pool, the schema
 * (migrated by Flyway at open; concurrent starts of several nodes take Flyway's lock in turn),
 * and transactions bound to the calling thread so that writes of several stores made by one piece
 * of work (the analysis queue's result and policy's verdict made of it) commit together.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** The schema's migrations; {@code V1__...sql} onwards. */
    static final String MIGRATIONS = "classpath:db/airlock";

    private final HikariDataSource pool;
    private final StoreUrl url;
    private final StoreConfig config;
    private final String nodeId;
    private final ThreadLocal<Tx> current = new ThreadLocal<>();

    /** The transaction bound to a thread, with what to do once it commits or rolls back. */
    private static final class Tx {
        final Connection connection;
        final List<Runnable> afterCommit = new ArrayList<>();
        final List<Runnable> afterRollback = new ArrayList<>();

        Tx(Connection connection) {
            this.connection = connection;
        }
    }

    private Database(HikariDataSource pool, StoreUrl url, StoreConfig config, String nodeId) {
        this.pool = pool;
        this.url = url;
        this.config = config;
        this.nodeId = nodeId;
    }

    /** Connects, migrates the schema and returns the database; a database that cannot be reached is an error here. */
    public static Database open(StoreConfig config) {
        StoreUrl url = StoreUrl.of(config);
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            h.setUsername(url.user());
        }
        if (url.password() != null) {
            h.setPassword(url.password());
        }
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(Math.min(2, config.poolSize()));
        h.setPoolName("airlock-store");
        h.setConnectionTimeout(10_000);
        h.setAutoCommit(true);
        // A statement that failed inside a transaction aborts it: its commit must fail too, never pass silently.
        h.addDataSourceProperty("raiseExceptionOnSilentRollback", "true");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(h);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot connect to the shared store " + url + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations(MIGRATIONS).table("airlock_schema_history")
                    .baselineOnMigrate(false).load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreUnavailableException("cannot migrate the schema of the shared store " + url + ": "
                    + rootMessage(e), e);
        }
        String node = config.nodeId() != null ? config.nodeId() : defaultNodeId();
        LOG.info("shared store {} open as node {}", url, node);
        return new Database(pool, url, config, node);
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public String nodeId() {
        return nodeId;
    }

    public StoreConfig config() {
        return config;
    }

    /**
     * Runs {@code work} in a transaction and commits it. Called inside another transaction on the
     * same thread, it joins that one: its writes commit or roll back with the outer work.
     *
     * @throws StoreUnavailableException when the database fails or refuses; the transaction is rolled back
     */
    public <T> T transaction(SqlWork<T> work) {
        Tx outer = current.get();
        if (outer != null) {
            try {
                return work.run(outer.connection);
            } catch (SQLException e) {
                throw new StoreUnavailableException("shared store: " + e.getMessage(), e);
            }
        }
        Tx tx;
        try {
            Connection c = pool.getConnection();
            c.setAutoCommit(false);
            tx = new Tx(c);
        } catch (SQLException e) {
            throw new StoreUnavailableException("shared store unreachable: " + e.getMessage(), e);
        }
        current.set(tx);
        boolean committed = false;
        try {
            T result = work.run(tx.connection);
            tx.connection.commit();
            committed = true;
            return result;
        } catch (SQLException e) {
            throw new StoreUnavailableException("shared store: " + e.getMessage(), e);
        } finally {
            current.remove();
            if (!committed) {
                try {
                    tx.connection.rollback();
                } catch (SQLException e) {
                    LOG.debug("rollback failed: {}", e.toString());
                }
            }
            try {
                tx.connection.setAutoCommit(true);
                tx.connection.close();
            } catch (SQLException e) {
                LOG.debug("returning a connection failed: {}", e.toString());
            }
            for (Runnable r : committed ? tx.afterCommit : tx.afterRollback) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} hook failed (ignored)", committed ? "after-commit" : "after-rollback", e);
                }
            }
        }
    }

    /** Runs {@code r} once the current transaction commits; outside one, at once. */
    public void afterCommit(Runnable r) {
        Tx tx = current.get();
        if (tx == null) {
            r.run();
        } else {
            tx.afterCommit.add(r);
        }
    }

    /** Runs {@code r} if the current transaction rolls back; outside one, never. */
    public void afterRollback(Runnable r) {
        Tx tx = current.get();
        if (tx != null) {
            tx.afterRollback.add(r);
        }
    }

    /** Whether the calling thread is inside a transaction. */
    public boolean inTransaction() {
        return current.get() != null;
    }

    /** Sends a notification that every listening node receives once the transaction commits (never if it rolls back). */
    public static void notify(Connection c, String channel, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    /**
     * Starts a listener on its own connection for the channels; {@code onNotification} gets the
     * notifications that arrived together, {@code onConnected} runs after every (re)connection, so the caller can
     * catch up on what it missed while the connection was down.
     */
    public ChangeListener listen(String name, List<String> channels, Consumer<List<ChangeListener.Notification>> onNotification,
                                 Runnable onConnected) {
        return ChangeListener.start(name, url, channels, onNotification, onConnected);
    }

    @Override
    public void close() {
        pool.close();
    }
}
