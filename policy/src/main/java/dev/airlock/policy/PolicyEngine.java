package dev.airlock.policy;

import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.feed.FeedWatcher;
import dev.airlock.policy.feed.MalwareFeed;
import dev.airlock.policy.rules.NameRules;
import dev.airlock.policy.rules.TyposquatDetector;
import dev.airlock.policy.store.VerdictStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Policy, assembled from the configuration: the store, the rules, the gate the proxy asks, the
 * admin service and the admin token. Open once at startup, close at shutdown.
 */
public final class PolicyEngine implements AutoCloseable {
    /** How often the feeds directory is polled for new or changed files. */
    public static final long FEED_POLL_MS = 30_000;
    /** How often the overview's history is written: its finest resolution is a minute. */
    static final java.time.Duration HISTORY_SAMPLE = java.time.Duration.ofMinutes(1);

    private final VerdictStore store;
    private final PolicyGate gate;
    private final PolicyAdmin admin;
    private final AdminToken token;
    private final FeedWatcher watcher;

    private PolicyEngine(VerdictStore store, PolicyGate gate, PolicyAdmin admin, AdminToken token, FeedWatcher watcher) {
        this.store = store;
        this.gate = gate;
        this.admin = admin;
        this.token = token;
        this.watcher = watcher;
    }

    /**
     * Opens the store in {@code config.dataDir()}, compiles the rules (a bad rule is a
     * {@link dev.airlock.config.ConfigException}), registers itself as the queue's result
     * listener, imports {@code policy.feedsDir} and starts watching it.
     *
     * @param queue       where versions wait for analysis; its {@code onResult} is set here
     * @param staticCheck the static analysis run on first download of older versions; null: none
     */
    public static PolicyEngine open(AirlockConfig config, AnalysisQueue queue, StaticCheck staticCheck) {
        return open(config, queue, staticCheck, Clock.systemUTC(), FEED_POLL_MS);
    }

    public static PolicyEngine open(AirlockConfig config, AnalysisQueue queue, StaticCheck staticCheck, Clock clock,
                                    long feedPollMs) {
        return open(config, VerdictStore.open(config.dataDir()), queue, staticCheck, clock, feedPollMs);
    }

    /**
     * Over a store opened by the caller (the shared PostgreSQL one); the engine closes it. With a
     * shared store every node runs one engine: changes other nodes make reach this one's gate.
     */
    public static PolicyEngine open(AirlockConfig config, VerdictStore store, AnalysisQueue queue, StaticCheck staticCheck,
                                    Clock clock, long feedPollMs) {
        PolicyGate gate = null;
        try {
            NameRules rules = NameRules.from(config.policy());
            TyposquatDetector typos = TyposquatDetector.bundled(config.policy().typosquat().maxDistance());
            // With a shared store every node must take the same configured token: one generated per node would differ.
            AdminToken token = AdminToken.resolve(config.adminToken(), config.dataDir());
            MalwareFeed feed = new MalwareFeed(store);
            gate = new PolicyGate(config.policy(), store, rules, typos, feed, queue, staticCheck, clock);
            store.onChangedElsewhere(new RemoteChanges(gate));
            PolicyAdmin admin = new PolicyAdmin(gate);
            PolicyGate recorder = gate;
            queue.onFileResult((c, file, result) -> {
                recorder.onAnalysisResult(c, file, result);
                admin.analysisRecorded(c, file, result);
            });
            admin.history().startSampling(HISTORY_SAMPLE, admin::gauges, clock);
            FeedWatcher watcher = null;
            if (config.policy().feedsDir() != null) {
                Path dir = config.policy().feedsDir().startsWith("~")
                        ? Path.of(System.getProperty("user.home") + config.policy().feedsDir().substring(1))
                        : Path.of(config.policy().feedsDir());
                watcher = FeedWatcher.start(dir, (bytes, source) -> admin.importOsv(bytes, source, "feed"), feedPollMs);
            }
            return new PolicyEngine(store, gate, admin, token, watcher);
        } catch (RuntimeException e) {
            if (gate != null) {
                gate.close();
            }
            store.close();
            throw e;
        }
    }

    /** The gate the proxy routes ask. */
    public PolicyGate gate() {
        return gate;
    }

    /** The admin API's operations. */
    public PolicyAdmin admin() {
        return admin;
    }

    /** Break-glass exemptions from the outbreak hold. */
    public BreakGlass breakGlass() {
        return new BreakGlass(gate);
    }

    public AdminToken token() {
        return token;
    }

    /** The generated token file to print in the startup banner; empty when the token was configured. */
    public Optional<Path> adminTokenFile() {
        return token.file();
    }

    public Path storeFile() {
        return store.file();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        admin.close();
        admin.history().close();
        try {
            admin.history().flush(java.time.Instant.now(), java.util.Map.of());
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(PolicyEngine.class).warn("last overview history write failed", e);
        }
        gate.close();
        store.close();
    }
}
