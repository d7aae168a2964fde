package dev.airlock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void embeddedDefaultsNeedNoFileFlagOrVariable() {
        AirlockConfig c = ConfigLoader.load(new String[0], Map.of()).config();
        assertEquals(8080, c.port());
        assertEquals("0.0.0.0", c.bind());
        assertEquals(Path.of("airlock-data"), c.dataDir());
        assertNull(c.publicUrl());
        assertEquals(URI.create("https://pypi.org/simple/"), c.pypiUpstream());
        assertEquals(List.of("files.pythonhosted.org"), c.pypiFileHosts());
        assertEquals(URI.create("https://pypi.org/pypi/"), c.pypiJsonBase());
        assertEquals("enforce", c.policy().mode());
        assertEquals(Duration.ofDays(14), c.policy().holdWindow());
        assertEquals(Duration.ofSeconds(10), c.policy().holdWait());
        assertEquals(Duration.ofSeconds(60), c.sandbox().installTimeout());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheYamlFile() throws Exception {
        Path yaml = dir.resolve("airlock.yaml");
        Files.writeString(yaml, String.join("\n",
                "port: 7000",
                "data-dir: /var/lib/airlock",
                "npmUpstream: http://127.0.0.1:9/npm",
                "policy:",
                "  mode: audit",
                "  holdNewerThan: always",
                "  internal:",
                "    npmScopes: ['@acme']",
                "    names: {pypi: ['acme-*']}",
                ""));
        ConfigLoader.Loaded l = ConfigLoader.load(new String[]{"--config", yaml.toString(), "--port=7002", "extra"},
                Map.of("AIRLOCK_PORT", "7001", "AIRLOCK_BIND", "127.0.0.1"));
        AirlockConfig c = l.config();
        assertEquals(7002, c.port());
        assertEquals("127.0.0.1", c.bind());
        assertEquals(Path.of("/var/lib/airlock"), c.dataDir());
        assertEquals(URI.create("http://127.0.0.1:9/npm/"), c.npmUpstream(), "a trailing slash is added");
        assertEquals("audit", c.policy().mode());
        assertTrue(c.policy().holdAlways());
        assertEquals(List.of("@acme"), c.policy().internal().npmScopes());
        assertEquals(List.of("acme-*"), c.policy().internal().names().get("pypi"));
        assertEquals(List.of("extra"), l.rest());
    }

    @Test
    void dottedFlagsReachNestedSectionsAndListsSplitOnCommas() {
        AirlockConfig c = ConfigLoader.load(new String[]{"--policy.hold-wait", "3s", "--pypi-file-hosts", "a.example, b.example",
                "--pypi-upstream", "http://127.0.0.1:1/simple"}, Map.of()).config();
        assertEquals(Duration.ofSeconds(3), c.policy().holdWait());
        assertEquals(List.of("a.example", "b.example"), c.pypiFileHosts());
        assertEquals(URI.create("http://127.0.0.1:1/pypi/"), c.pypiJsonBase());
    }

    @Test
    void aTypoInAKeyIsAClearErrorNotASilentDefault() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "policy:\n  holdNewerThn: 3d\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[]{"--config", yaml.toString()}, Map.of()));
        assertTrue(e.getMessage().contains("holdNewerThn"), e.getMessage());
    }

    @Test
    void badValuesAreRefusedWithTheKeyNamed() {
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[]{"--port", "70000"}, Map.of()))
                .getMessage().contains("port"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[]{"--npm-upstream", "ftp://x/"}, Map.of()))
                .getMessage().contains("npmUpstream"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[]{"--policy.mode", "lenient"}, Map.of()))
                .getMessage().contains("policy.mode"));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[]{"--port"}, Map.of()));
    }

    @Test
    void durationsReadTheWayOperatorsWriteThem() {
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofDays(14), Durations.parse("14d"));
        assertEquals(Duration.ofHours(1), Durations.parse("PT1H"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
    }
}
