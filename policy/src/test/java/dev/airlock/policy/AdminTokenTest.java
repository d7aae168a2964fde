package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path dir;

    @Test
    void generatesATokenReadableOnlyByItsOwnerAndKeepsIt() throws Exception {
        AdminToken first = AdminToken.resolve(null, dir);
        Path f = first.file().orElseThrow();
        assertEquals(dir.resolve("admin-token"), f);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        String token = Files.readString(f).trim();
        assertTrue(token.length() >= 40, "token too short: " + token.length());
        assertTrue(first.matches(token));
        AdminToken again = AdminToken.resolve(null, dir);
        assertTrue(again.matches(token), "a restart must keep the generated token");
        assertEquals(first.identity(), again.identity());
    }

    @Test
    void aConfiguredTokenWinsAndNoFileIsWritten() {
        AdminToken t = AdminToken.resolve("T", dir);
        assertTrue(t.file().isEmpty());
        assertFalse(Files.exists(dir.resolve("admin-token")));
        assertTrue(t.matchesAuthorization("Bearer T"));
        assertTrue(t.matchesAuthorization("bearer T"));
        assertFalse(t.matchesAuthorization("Bearer TT"));
        assertFalse(t.matchesAuthorization("Basic T"));
        assertFalse(t.matchesAuthorization(null));
        assertFalse(t.matchesAuthorization("Bearer "));
        assertTrue(t.identity().startsWith("token:"));
        assertFalse(t.identity().contains("T"), "the identity must not reveal the token");
    }
}
