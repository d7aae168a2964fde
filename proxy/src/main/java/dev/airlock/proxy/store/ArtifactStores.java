package dev.airlock.proxy.store;

import dev.airlock.config.AirlockConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The artifact store a configuration asks for: the data directory alone, or as the cache of a shared S3 bucket. */
public final class ArtifactStores {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStores.class);

    private ArtifactStores() {
    }

    /** Opens it; what must be closed goes to {@code closeables}. An unreachable bucket is an error at start. */
    public static ArtifactStore open(AirlockConfig config, List<AutoCloseable> closeables) throws IOException {
        if (!config.artifacts().shared()) {
            return new ArtifactStore(config.dataDir());
        }
        S3ArtifactMirror mirror = S3ArtifactMirror.open(config.artifacts());
        closeables.add(mirror);
        mirror.check();
        LOG.info("artifacts: shared in {} (endpoint {}), cached in {}", config.artifacts().url(),
                config.artifacts().endpoint() == null ? "AWS" : config.artifacts().endpoint(), config.dataDir());
        return new ArtifactStore(config.dataDir(), Files::newOutputStream, mirror);
    }
}
