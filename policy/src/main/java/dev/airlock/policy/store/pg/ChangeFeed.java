package dev.airlock.policy.store.pg;

import dev.airlock.sql.ChangeListener;
import dev.airlock.sql.Database;
import dev.airlock.sql.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link Mirrors} current with what other nodes write: each notification names
 * a changed key, which is read back at once (one query per kind for the batch); a timer and every
 * reconnection of the listener also reconcile (verdicts written since the last rounds, and the
 * small tables whenever their count or highest revision moved), for notifications that were lost.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    private static final Map<Mirrors.Kind, KeyedRows> TABLES = new EnumMap<>(Map.of(
            Mirrors.Kind.OVERRIDE, new KeyedRows("overrides", "target"),
            Mirrors.Kind.EXEMPTION, new KeyedRows("hold_exemptions", "target"),
            Mirrors.Kind.FEED, new KeyedRows("feed_records", "id")));

    private final Database db;
    private final Mirrors mirrors;
    private final Revisions revisions = new Revisions();
    private final Map<Mirrors.Kind, String> fingerprints = new EnumMap<>(Mirrors.Kind.class);
    private final ScheduledExecutorService timer;
    private ChangeListener listener;

    ChangeFeed(Database db, Mirrors mirrors) {
        this.db = db;
        this.mirrors = mirrors;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "policy-store-reconcile");
            t.setDaemon(true);
            return t;
        });
    }

    static KeyedRows rows(Mirrors.Kind kind) {
        return TABLES.get(kind);
    }

    /** Reads everything into the mirrors, then listens and reconciles every {@code every}. */
    void start(Duration every) {
        long highest = db.transaction(c -> {
            for (Mirrors.Kind kind : Mirrors.Kind.values()) {
                mirrors.table(kind).putAll(TABLES.get(kind).readAll(c));
                fingerprints.put(kind, fingerprint(c, kind));
            }
            return VerdictRows.readSince(c, 0, (v, rev) -> mirrors.verdicts.apply(v, rev, false));
        });
        revisions.roundDone(highest);
        revisions.roundDone(highest);
        listener = db.listen("policy", List.of(PolicyChannel.NAME), this::notified, this::reconcileQuietly);
        timer.scheduleWithFixedDelay(this::reconcileQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void notified(List<ChangeListener.Notification> batch) {
        Set<String> verdictKeys = new LinkedHashSet<>();
        Map<Mirrors.Kind, Set<String>> keyed = new EnumMap<>(Mirrors.Kind.class);
        for (ChangeListener.Notification n : batch) {
            PolicyChannel.Change ch = PolicyChannel.parse(n.payload());
            if (ch == null || ch.node().equals(db.nodeId())) {
                continue;
            }
            switch (ch.kind()) {
                case 'v' -> verdictKeys.add(ch.key());
                case 'o' -> keyed.computeIfAbsent(Mirrors.Kind.OVERRIDE, k -> new LinkedHashSet<>()).add(ch.key());
                case 'h' -> keyed.computeIfAbsent(Mirrors.Kind.EXEMPTION, k -> new LinkedHashSet<>()).add(ch.key());
                case 'f' -> keyed.computeIfAbsent(Mirrors.Kind.FEED, k -> new LinkedHashSet<>());
                default -> LOG.debug("ignoring an unknown change kind {}", ch.kind());
            }
        }
        if (verdictKeys.isEmpty() && keyed.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            // Overrides first: a verdict re-decided for an override is then read against it.
            for (Map.Entry<Mirrors.Kind, Set<String>> e : keyed.entrySet()) {
                if (e.getKey() == Mirrors.Kind.FEED) {
                    reloadFeed(c);
                    continue;
                }
                for (String key : e.getValue()) {
                    mirrors.keyed(e.getKey(), key, TABLES.get(e.getKey()).read(c, key).orElse(null), true);
                }
            }
            if (!verdictKeys.isEmpty()) {
                VerdictRows.read(c, verdictKeys, (v, rev) -> mirrors.remote(v, rev, false));
            }
            return null;
        });
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (StoreUnavailableException e) {
            LOG.warn("shared store: reconcile failed (retried): {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("shared store: reconcile failed (retried)", e);
        }
    }

    /** Catches up on anything a lost notification did not bring. */
    synchronized void reconcile() {
        db.transaction(c -> {
            for (Mirrors.Kind kind : Mirrors.Kind.values()) {
                String now = fingerprint(c, kind);
                if (now.equals(fingerprints.get(kind))) {
                    continue;
                }
                if (kind == Mirrors.Kind.FEED) {
                    reloadFeed(c);
                } else {
                    Map<String, String> stored = TABLES.get(kind).readAll(c);
                    for (String gone : new HashMap<>(mirrors.table(kind)).keySet()) {
                        if (!stored.containsKey(gone)) {
                            mirrors.keyed(kind, gone, null, true);
                        }
                    }
                    stored.forEach((k, json) -> mirrors.keyed(kind, k, json, true));
                }
                fingerprints.put(kind, now);
            }
            long highest = VerdictRows.readSince(c, revisions.from(), (v, rev) -> mirrors.remote(v, rev, false));
            revisions.roundDone(highest);
            return null;
        });
    }

    private void reloadFeed(Connection c) throws SQLException {
        Map<String, String> stored = TABLES.get(Mirrors.Kind.FEED).readAll(c);
        if (stored.equals(mirrors.feed)) {
            return;
        }
        mirrors.feed.keySet().retainAll(stored.keySet());
        mirrors.feed.putAll(stored);
        mirrors.feedChanged();
    }

    private static String fingerprint(Connection c, Mirrors.Kind kind) throws SQLException {
        String table = switch (kind) {
            case OVERRIDE -> "overrides";
            case EXEMPTION -> "hold_exemptions";
            case FEED -> "feed_records";
        };
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), coalesce(max(rev), 0) FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) + "/" + rs.getLong(2);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (listener != null) {
            listener.close();
        }
    }
}
