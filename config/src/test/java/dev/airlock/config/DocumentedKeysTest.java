package dev.airlock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every key docs/configuration.md documents is one the loader binds, and every key it binds is
 * documented. The loader binds the YAML tree onto {@link AirlockConfig}'s record components
 * (unknown keys are errors), so those components, with the section records below them, are
 * exactly the keys the code reads.
 */
class DocumentedKeysTest {
    /** A table row whose first cell is a backticked key: {@code | `policy.mode` | ...}. */
    private static final Pattern KEY_ROW = Pattern.compile("(?m)^\\|\\s*`([A-Za-z][A-Za-z0-9.]*)`\\s*\\|");

    @Test
    void everyDocumentedKeyIsReadAndEveryReadKeyIsDocumented() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        assertTrue(Files.isRegularFile(doc), "expected the reference at " + doc.toAbsolutePath());
        Set<String> documented = new TreeSet<>();
        Matcher m = KEY_ROW.matcher(Files.readString(doc));
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> read = new TreeSet<>();
        collect(AirlockConfig.class, "", read);

        assertTrue(read.contains("policy.typosquat.maxDistance") && documented.contains("upstream.retries"),
                "both sides were found: " + read + " / " + documented);
        Set<String> undocumented = new TreeSet<>(read);
        undocumented.removeAll(documented);
        Set<String> unread = new TreeSet<>(documented);
        unread.removeAll(read);
        assertEquals(Set.of(), undocumented, "keys the loader reads that docs/configuration.md does not document");
        assertEquals(Set.of(), unread, "keys docs/configuration.md documents that the loader does not read");
    }

    /** A section (a record of this package) contributes its keys; any other type is one key. */
    private static void collect(Class<?> type, String prefix, Set<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> t = c.getType();
            String key = prefix + c.getName();
            if (t.isRecord() && t.getPackageName().equals(AirlockConfig.class.getPackageName())) {
                collect(t, key + ".", out);
            } else {
                out.add(key);
            }
        }
    }
}
