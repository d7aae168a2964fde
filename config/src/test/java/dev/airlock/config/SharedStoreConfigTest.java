package dev.airlock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code store.*} and {@code artifacts.*} sections of a deployment of several nodes (issue 14). */
class SharedStoreConfigTest {

    private static AirlockConfig load(String... args) {
        return ConfigLoader.load(args, Map.of()).config();
    }

    @Test
    void withoutAStoreUrlEveryNodeKeepsTheEmbeddedStoresAndAnalyses() {
        AirlockConfig c = load();
        assertFalse(c.store().shared());
        assertFalse(c.artifacts().shared());
        assertTrue(c.analysis().enabled());
        assertEquals(Duration.ofSeconds(30), c.store().leaseTimeout());
        assertEquals(Duration.ofSeconds(5), c.store().reconcileInterval());
        assertEquals(10, c.store().poolSize());
    }

    @Test
    void dottedFlagsNameTheSharedDatabaseAndTheBucket() {
        AirlockConfig c = load("--store.url", "postgresql://db.internal:5433/airlock", "--store.lease-timeout", "6s",
                "--artifacts.url", "s3://airlock-artifacts/cluster", "--artifacts.endpoint", "http://127.0.0.1:9000",
                "--analysis.enabled", "false");
        assertTrue(c.store().shared());
        assertEquals(Duration.ofSeconds(6), c.store().leaseTimeout());
        assertEquals("airlock-artifacts", c.artifacts().bucket());
        assertEquals("cluster/", c.artifacts().prefix());
        assertEquals(URI.create("http://127.0.0.1:9000"), c.artifacts().endpoint());
        assertTrue(c.artifacts().pathStyle(), "an endpoint other than AWS is addressed path-style by default");
        assertFalse(c.analysis().enabled());
        assertTrue(c.asWorker().analysis().enabled(), "the worker role analyses whatever the file says");
    }

    @Test
    void aBucketWithoutPrefixKeepsKeysAtItsRoot() {
        ArtifactsConfig a = new ArtifactsConfig("s3://airlock", null, null, null, null, null);
        assertEquals("airlock", a.bucket());
        assertEquals("", a.prefix());
        assertEquals("us-east-1", a.region());
        assertFalse(a.pathStyle(), "AWS itself: virtual-host style");
    }

    @Test
    void aStoreUrlThatIsNotPostgresqlFailsAtStartWithoutShowingItsPassword() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("--store.url", "mysql://airlock:s3cret@db/airlock"));
        assertTrue(e.getMessage().contains("store.url"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(ConfigException.class, () -> load("--store.url", "postgresql://db.internal"),
                "a URL without a database");
    }

    @Test
    void aPasswordInTheStoreUrlIsRedactedForLogs() {
        assertEquals("postgresql://airlock:***@db/airlock", StoreConfig.redacted("postgresql://airlock:s3cret@db/airlock"));
        assertEquals("postgresql://db/airlock", StoreConfig.redacted("postgresql://db/airlock"));
        assertNull(StoreConfig.redacted(null));
    }

    @Test
    void aProxyThatDoesNotAnalyseNeedsASharedStore() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("--analysis.enabled", "false"));
        assertTrue(e.getMessage().contains("store.url"), e.getMessage());
    }

    @Test
    void leasesTooShortToRenewAndBadBucketsAreRefused() {
        assertThrows(ConfigException.class, () -> load("--store.url", "postgresql://db/airlock", "--store.lease-timeout", "1s"));
        assertThrows(ConfigException.class, () -> load("--store.pool-size", "1"));
        assertThrows(ConfigException.class, () -> load("--store.node-id", "node a"));
        assertThrows(ConfigException.class, () -> load("--artifacts.url", "s3://Not_A_Bucket/x"));
        assertThrows(ConfigException.class, () -> load("--artifacts.url", "https://bucket.example/x"));
        assertThrows(ConfigException.class, () -> load("--artifacts.url", "s3://airlock", "--artifacts.access-key", "id"),
                "an access key without its secret");
        assertThrows(ConfigException.class, () -> load("--artifacts.endpoint", "ftp://127.0.0.1/"));
    }
}
