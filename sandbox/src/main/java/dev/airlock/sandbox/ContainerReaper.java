package dev.airlock.sandbox;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and removes sandbox containers nobody will collect: this process's own at close, and those of
 * a sandbox process that no longer runs (a crash, {@code kill -9}). Containers of another host sharing
 * the engine are removed only once older than any deadline could make them.
 */
final class ContainerReaper {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerReaper.class);
    private static final Duration STALE_AFTER = Duration.ofHours(2);

    private final DockerEngine engine;
    private final ContainerRunner runner;
    private final BooleanSupplier reachable;
    private final String owner;

    ContainerReaper(DockerEngine engine, ContainerRunner runner, String owner, BooleanSupplier reachable) {
        this.engine = engine;
        this.runner = runner;
        this.owner = owner;
        this.reachable = reachable;
    }

    /** The label value that marks this process's containers: host name and process id. */
    static String ownerOfThisProcess() {
        return hostName() + "/" + ProcessHandle.current().pid();
    }

    /** The owner label this process puts on its containers. */
    String owner() {
        return owner;
    }

    /** Removes this process's containers (when {@code includeOwn}), and any left by a sandbox process that no longer runs. */
    int reap(boolean includeOwn) {
        if (engine == null || !reachable.getAsBoolean()) {
            return 0;
        }
        int removed = 0;
        try {
            for (Container c : engine.client().listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(ContainerRunner.LABEL, "true")).exec()) {
                String containerOwner = c.getLabels() == null ? null : c.getLabels().get(ContainerRunner.OWNER_LABEL);
                if ((includeOwn && owner.equals(containerOwner)) || ownerGone(containerOwner, c.getCreated())) {
                    runner.remove(c.getId());
                    removed++;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("sandbox reaper could not list containers: {}", e.getMessage());
        }
        if (removed > 0) {
            LOG.info("sandbox reaper removed {} left-over container(s)", removed);
        }
        return removed;
    }

    /** How many containers of this process exist on the engine right now (should be 0 between runs). */
    int own() {
        if (engine == null || !reachable.getAsBoolean()) {
            return 0;
        }
        return engine.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerRunner.OWNER_LABEL, owner)).exec().size();
    }

    private static boolean ownerGone(String containerOwner, Long created) {
        if (containerOwner == null) {
            return true;
        }
        int slash = containerOwner.lastIndexOf('/');
        String host = slash < 0 ? "" : containerOwner.substring(0, slash);
        if (host.equals(hostName())) {
            try {
                long pid = Long.parseLong(containerOwner.substring(slash + 1));
                return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return true;
            }
        }
        return created != null && System.currentTimeMillis() / 1000 - created > STALE_AFTER.toSeconds();
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
