package dev.airlock.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The server section ({@code server.*}): how Airlock treats the connections it accepts.
 *
 * @param trustedProxies addresses or CIDR blocks of reverse proxies whose {@code X-Forwarded-For}
 *                       and {@code X-Forwarded-Proto} are believed; empty (the default): nobody's,
 *                       so a client cannot forge the address recorded in the downloads log
 * @param tls            TLS on the listening port ({@code server.tls.*}); off unless a certificate is named
 */
public record ServerConfig(List<String> trustedProxies, Tls tls) {
    public ServerConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        tls = tls == null ? new Tls(null, null, null) : tls;
        for (String p : trustedProxies) {
            try {
                AddressBlock.parse(p);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("server.trustedProxies: " + e.getMessage());
            }
        }
    }

    /** Without TLS, for callers written before it existed. */
    public ServerConfig(List<String> trustedProxies) {
        this(trustedProxies, null);
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null);
    }

    /** The trusted proxies, parsed. */
    public List<AddressBlock> trustedProxyBlocks() {
        return trustedProxies.stream().map(AddressBlock::parse).toList();
    }

    /**
     * TLS on the listening port.
     *
     * @param cert           PEM certificate chain, leaf first (null: plain HTTP)
     * @param key            PEM private key of the leaf (PKCS#8, {@code BEGIN PRIVATE KEY})
     * @param reloadInterval how often the two files are checked for a change; new connections get
     *                       the new certificate, open ones keep theirs (default 30s)
     */
    public record Tls(Path cert, Path key, Duration reloadInterval) {
        public Tls {
            if ((cert == null) != (key == null)) {
                throw new ConfigException("server.tls.cert and server.tls.key go together: set both or neither");
            }
            reloadInterval = reloadInterval == null ? Duration.ofSeconds(30) : reloadInterval;
            if (reloadInterval.isNegative() || reloadInterval.isZero()) {
                throw new ConfigException("server.tls.reloadInterval must be positive");
            }
        }

        public boolean enabled() {
            return cert != null;
        }
    }
}
