package dev.airlock.config;

import java.util.List;

/**
 * The server section ({@code server.*}): how Airlock treats the connections it accepts.
 *
 * @param trustedProxies addresses or CIDR blocks of reverse proxies whose {@code X-Forwarded-For}
 *                       and {@code X-Forwarded-Proto} are believed; empty (the default): nobody's,
 *                       so a client cannot forge the address recorded in the downloads log
 */
public record ServerConfig(List<String> trustedProxies) {
    public ServerConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        for (String p : trustedProxies) {
            try {
                AddressBlock.parse(p);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("server.trustedProxies: " + e.getMessage());
            }
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null);
    }

    /** The trusted proxies, parsed. */
    public List<AddressBlock> trustedProxyBlocks() {
        return trustedProxies.stream().map(AddressBlock::parse).toList();
    }
}
