package dev.airlock.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.DownloadRecord;
import dev.airlock.policy.OverrideAction;
import dev.airlock.policy.Reason;
import dev.airlock.policy.ReasonSource;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

class VerdictStoreTest {
    @TempDir
    Path dir;

    static Verdict verdict(String name, String version, VerdictState state) {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, name, version);
        return Verdict.firstSighting(c, Instant.parse("2025-01-01T00:00:00Z"), null, true)
                .withDecision(state, List.of(Reason.of("known_malware", ReasonSource.FEED, "known malware MAL-1")),
                        Instant.parse("2025-01-02T00:00:00Z"), "feed:MAL-1");
    }

    @Test
    void keepsVerdictsOverridesAuditAndDownloadsAcrossAReopen() {
        try (VerdictStore s = VerdictStore.open(dir)) {
            s.putVerdict(verdict("@acme/a", "1.0.0", VerdictState.BLOCKED));
            s.putVerdictSoon(verdict("@acme/a", "1.1.0", VerdictState.PENDING));
            s.putVerdict(verdict("@acme/ab", "1.0.0", VerdictState.ALLOWED));
            s.changeOverride("npm:@acme/a", new AdminOverride("npm:@acme/a", OverrideAction.BLOCK, "ours", null, "t", Instant.now()),
                    new AuditEntry(0, Instant.now(), "t", "override_block", "npm:@acme/a", null, "blocked", "ours"));
            s.recordDownload(PackageCoordinate.of(Ecosystem.NPM, "@acme/a", "1.0.0"),
                    new DownloadRecord(Instant.now(), "127.0.0.1", "npm/10", "a-1.0.0.tgz"));
        }
        try (VerdictStore s = VerdictStore.open(dir)) {
            List<Verdict> a = s.verdicts(new PackageId(Ecosystem.NPM, "@acme/a"));
            assertEquals(List.of("1.0.0", "1.1.0"), a.stream().map(v -> v.coordinate().version()).toList());
            assertEquals(VerdictState.BLOCKED, a.get(0).state());
            assertEquals("known_malware", a.get(0).reasons().get(0).code());
            assertEquals("ours", s.override("npm:@acme/a").orElseThrow().reason());
            assertEquals(1, s.audit(null, 10).size());
            assertEquals(1L, s.audit(null, 10).get(0).seq());
            assertEquals("npm/10", s.downloads(PackageCoordinate.of(Ecosystem.NPM, "@acme/a", "1.0.0"), 10).get(0).userAgent());
        }
    }

    @Test
    void refusesAStoreWrittenByANewerSchemaWithAClearMessage() {
        VerdictStore.open(dir).close();
        DB db = DBMaker.fileDB(dir.resolve(VerdictStore.FILE_NAME).toFile()).transactionEnable().make();
        db.hashMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen().put("schemaVersion", "7");
        db.commit();
        db.close();
        StoreSchemaException e = assertThrows(StoreSchemaException.class, () -> VerdictStore.open(dir));
        assertTrue(e.getMessage().contains("schema version 7"), e.getMessage());
        assertTrue(e.getMessage().contains("newer Airlock"), e.getMessage());
    }

    @Test
    void refusesAMapDbFileWithoutASchemaRecord() {
        DB db = DBMaker.fileDB(dir.resolve(VerdictStore.FILE_NAME).toFile()).transactionEnable().make();
        db.treeMap("verdicts", Serializer.STRING, Serializer.STRING).createOrOpen().put("x", "y");
        db.commit();
        db.close();
        StoreSchemaException e = assertThrows(StoreSchemaException.class, () -> VerdictStore.open(dir));
        assertTrue(e.getMessage().contains("no schema version"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotAMapDbStore() throws Exception {
        Files.write(dir.resolve(VerdictStore.FILE_NAME), "this is not a database".repeat(100).getBytes());
        StoreSchemaException e = assertThrows(StoreSchemaException.class, () -> VerdictStore.open(dir));
        assertTrue(e.getMessage().contains("cannot be opened"), e.getMessage());
    }

    @Test
    void aSecondOpenOfTheSameDataDirSaysWhy() {
        try (VerdictStore s = VerdictStore.open(dir)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> VerdictStore.open(dir));
            assertTrue(e.getMessage().contains("another Airlock"),
                    e.getMessage());
        }
    }

    @Test
    void aFailedTransactionLeavesNothingBehind() {
        try (VerdictStore s = VerdictStore.open(dir)) {
            assertThrows(IllegalStateException.class, () -> s.transaction(() -> {
                s.putVerdict(verdict("x", "1.0.0", VerdictState.BLOCKED));
                throw new IllegalStateException("boom");
            }));
            assertTrue(Files.exists(s.file()));
            assertTrue(s.verdict(PackageCoordinate.of(Ecosystem.NPM, "x", "1.0.0")).isEmpty());
        }
    }
}
