package dev.airlock.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where verdicts, overrides, the audit and downloads logs and the analysis queue live
 * ({@code store.*}): the embedded MapDB files in the data directory (the default, one node), or
 * one PostgreSQL database shared by every node of a deployment.
 *
 * @param url               null: embedded; {@code postgresql://[user[:password]@]host[:port]/database[?param=v]}
 *                          (or the same as a {@code jdbc:postgresql://} URL)
 * @param user              database user when the URL names none
 * @param passwordFile      a file holding the database password (a mounted secret); its first line is read
 * @param poolSize          connections this node keeps open to the database
 * @param leaseTimeout      how long an analysis job stays leased to a node that stopped renewing it
 *                          (killed, cut off) before another node takes it over
 * @param reconcileInterval how often a node re-reads changes it may have missed while its
 *                          notification channel was down (changes arrive by {@code LISTEN/NOTIFY} at once otherwise)
 * @param nodeId            this node's name in leases and the nodes table; null: host name and process id
 */
public record StoreConfig(String url, String user, Path passwordFile, Integer poolSize, Duration leaseTimeout,
                          Duration reconcileInterval, String nodeId) {
    private static final Pattern PASSWORD = Pattern.compile("(//[^:/@]+):[^@/]*@");

    private static final Pattern NODE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$");

    public StoreConfig {
        url = url == null || url.isBlank() ? null : url.strip();
        if (url != null) {
            String lower = url.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("postgresql://") && !lower.startsWith("postgres://") && !lower.startsWith("jdbc:postgresql://")) {
                throw new ConfigException("store.url must be postgresql://host[:port]/database (or empty for the "
                        + "embedded store), got '" + redacted(url) + "'");
            }
            URI u = URI.create(lower.startsWith("jdbc:") ? url.substring(5) : url);
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
                throw new ConfigException("store.url must name a host and a database: postgresql://host[:port]/database, got '"
                        + redacted(url) + "'");
            }
        }
        poolSize = poolSize == null ? 10 : poolSize;
        if (poolSize < 2 || poolSize > 200) {
            throw new ConfigException("store.poolSize must be 2..200, got " + poolSize);
        }
        leaseTimeout = leaseTimeout == null ? Duration.ofSeconds(30) : leaseTimeout;
        if (leaseTimeout.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new ConfigException("store.leaseTimeout must be at least 3s (leases are renewed every third of it), got "
                    + leaseTimeout);
        }
        reconcileInterval = reconcileInterval == null ? Duration.ofSeconds(5) : reconcileInterval;
        if (reconcileInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("store.reconcileInterval must be at least 100ms, got " + reconcileInterval);
        }
        if (nodeId != null && !NODE_ID.matcher(nodeId).matches()) {
            throw new ConfigException("store.nodeId must be letters, digits and ._:@- (up to 100), got '" + nodeId + "'");
        }
    }

    public static StoreConfig defaults() {
        return new StoreConfig(null, null, null, null, null, null, null);
    }

    /** True when the stores are one shared PostgreSQL database rather than the embedded files. */
    public boolean shared() {
        return url != null;
    }

    /** The URL without a password, for logs and error messages. */
    public static String redacted(String url) {
        return url == null ? null : PASSWORD.matcher(url).replaceAll("$1:***@");
    }
}
