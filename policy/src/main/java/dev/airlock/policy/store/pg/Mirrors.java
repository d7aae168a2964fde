package dev.airlock.policy.store.pg;

import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.store.StoreChanges;
import dev.airlock.policy.store.StoreJson;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the shared store's decision inputs (verdicts, overrides, exemptions, feed
 * records) and who is told when it changes. Every change goes through here: the store's change
 * count moves after the listeners were told, so a decision cached at the new count saw the change.
 */
final class Mirrors {
    private static final Logger LOG = LoggerFactory.getLogger(Mirrors.class);

    /** The kinds of small table kept whole. */
    enum Kind {
        OVERRIDE, EXEMPTION, FEED
    }

    final VerdictMirror verdicts = new VerdictMirror();
    final Map<String, String> overrides = new ConcurrentHashMap<>();
    final Map<String, String> exemptions = new ConcurrentHashMap<>();
    final Map<String, String> feed = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile Consumer<Verdict> written = v -> { };
    private volatile StoreChanges elsewhere = new StoreChanges() { };

    long generation() {
        return generation.get();
    }

    void touch() {
        generation.incrementAndGet();
    }

    void onWritten(Consumer<Verdict> listener) {
        this.written = listener == null ? v -> { } : listener;
    }

    void onElsewhere(StoreChanges listener) {
        this.elsewhere = listener == null ? new StoreChanges() { } : listener;
    }

    Map<String, String> table(Kind kind) {
        return switch (kind) {
            case OVERRIDE -> overrides;
            case EXEMPTION -> exemptions;
            case FEED -> feed;
        };
    }

    /** A verdict this node wrote or sighted: the listing index hears of it. */
    void local(Verdict v) {
        tell(() -> written.accept(v), v);
        generation.incrementAndGet();
    }

    /** A verdict read back from the database: taken if newer, then everyone hears of it. */
    void remote(Verdict v, long rev, boolean force) {
        if (verdicts.apply(v, rev, force)) {
            tell(() -> written.accept(v), v);
            tell(() -> elsewhere.verdict(v), v);
            generation.incrementAndGet();
        }
    }

    /** A row of a small table as the database has it now ({@code json} null: gone); told only when it differs. */
    void keyed(Kind kind, String key, String json, boolean fromElsewhere) {
        Map<String, String> table = table(kind);
        String old = json == null ? table.remove(key) : table.put(key, json);
        if (Objects.equals(old, json)) {
            return;
        }
        if (fromElsewhere) {
            switch (kind) {
                case OVERRIDE -> tell(() -> elsewhere.override(key, json == null ? null : StoreJson.read(json, AdminOverride.class)), key);
                case EXEMPTION -> tell(() -> elsewhere.holdExemption(key, json), key);
                case FEED -> { }
            }
        }
        generation.incrementAndGet();
    }

    /** Feed records changed elsewhere (told once per batch, the index is rebuilt whole). */
    void feedChanged() {
        tell(() -> elsewhere.feed(), "feed");
        generation.incrementAndGet();
    }

    private static void tell(Runnable r, Object what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("a store change listener failed on {} (ignored)", what, e);
        }
    }
}
