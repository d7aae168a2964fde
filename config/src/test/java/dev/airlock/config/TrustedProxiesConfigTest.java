package dev.airlock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedProxiesConfigTest {
    @TempDir
    Path dir;

    static InetAddress ip(String s) {
        return AddressBlock.literal(s).orElseThrow();
    }

    @Test
    void trustsNobodyByDefault() {
        assertEquals(List.of(), ConfigLoader.load(new String[0], Map.of()).config().server().trustedProxies());
        assertEquals(List.of(), AirlockConfig.defaults().server().trustedProxyBlocks());
    }

    @Test
    void readsAddressesAndBlocksFromYamlAndFromADottedFlag() throws Exception {
        Path yaml = dir.resolve("airlock.yaml");
        Files.writeString(yaml, "server:\n  trusted-proxies: [10.0.0.0/8, '2001:db8::1', 'fd00::/8']\n");
        assertEquals(List.of("10.0.0.0/8", "2001:db8::1", "fd00::/8"),
                ConfigLoader.load(new String[]{"--config", yaml.toString()}, Map.of()).config().server().trustedProxies());
        assertEquals(List.of("192.0.2.1", "::1"), ConfigLoader.load(
                new String[]{"--server.trusted-proxies", "192.0.2.1, ::1"}, Map.of()).config().server().trustedProxies());
    }

    @Test
    void refusesAHostNameOrAMalformedBlockWithTheKeyNamed() {
        for (String bad : new String[] {"proxy.internal", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "1.2.3.4/x", ""}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> new ServerConfig(List.of(bad)), bad);
            assertTrue(e.getMessage().contains("server.trustedProxies"), e.getMessage());
        }
    }

    @Test
    void aBlockContainsTheAddressesUnderItsPrefixInItsOwnFamilyOnly() {
        AddressBlock v4 = AddressBlock.parse("10.1.0.0/16");
        assertTrue(v4.contains(ip("10.1.255.3")));
        assertFalse(v4.contains(ip("10.2.0.1")));
        assertTrue(v4.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped peer of a dual-stack socket is IPv4");
        AddressBlock v6 = AddressBlock.parse("2001:db8:1::/48");
        assertTrue(v6.contains(ip("2001:db8:1:ffff::9")));
        assertFalse(v6.contains(ip("2001:db8:2::9")));
        assertFalse(v6.contains(ip("10.1.2.3")));
        assertTrue(AddressBlock.parse("192.0.2.7").contains(ip("192.0.2.7")));
        assertFalse(AddressBlock.parse("192.0.2.7").contains(ip("192.0.2.8")));
        assertTrue(AddressBlock.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
    }

    @Test
    void onlyLiteralsAreAddressesSoParsingNeverAsksDns() {
        assertTrue(AddressBlock.literal("localhost").isEmpty());
        assertTrue(AddressBlock.literal("example.invalid").isEmpty());
        assertTrue(AddressBlock.literal("999.1.1.1").isEmpty());
        assertTrue(AddressBlock.literal("unknown").isEmpty());
        assertEquals("2001:db8:0:0:0:0:0:1", ip("2001:db8::1").getHostAddress());
    }
}
