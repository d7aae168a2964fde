package dev.airlock.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.AuditPage;
import dev.airlock.policy.AuditQuery;
import dev.airlock.policy.OverrideAction;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditPagingTest {
    private static final int OVERRIDES = 1_100;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;
    private VerdictStore store;

    /** Line {@code i} (1-based) targets {@code npm:pkg-<i % 10>@1.0.<i>}, is written by alice or bob and is {@code i} minutes after T0. */
    @BeforeEach
    void writeOverrides() {
        store = VerdictStore.open(dir);
        for (int i = 1; i <= OVERRIDES; i++) {
            String target = "npm:pkg-" + (i % 10) + "@1.0." + i;
            String who = i % 2 == 0 ? "alice" : "bob";
            OverrideAction action = i % 3 == 0 ? OverrideAction.BLOCK : OverrideAction.ALLOW;
            Instant at = T0.plus(Duration.ofMinutes(i));
            store.changeOverride(target, new AdminOverride(target, action, "r" + i, null, who, at),
                    new AuditEntry(0, at, who, "override_" + action.id(), target, "pending", "allowed", "r" + i));
        }
        store.changeOverride("npm:pkg-3", new AdminOverride("npm:pkg-3", OverrideAction.BLOCK, "whole", null, "carol", T0),
                new AuditEntry(0, T0.plus(Duration.ofDays(1)), "carol", "override_block", "npm:pkg-3", null, null, "whole"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theFirstPageListsTheNewestLinesFirst() {
        AuditPage page = store.audit(AuditQuery.newest(100));
        assertEquals(100, page.entries().size());
        assertEquals("npm:pkg-3", page.entries().get(0).target(), "the last override written comes first");
        assertEquals("npm:pkg-0@1.0.1100", page.entries().get(1).target());
        for (int i = 1; i < page.entries().size(); i++) {
            assertTrue(page.entries().get(i - 1).seq() > page.entries().get(i).seq(), "descending at " + i);
        }
        assertEquals(page.entries().get(99).seq(), page.next());
    }

    @Test
    void pagingWithTheCursorReachesTheOldestLineExactlyOnce() {
        List<Long> seen = new ArrayList<>();
        AuditQuery q = AuditQuery.newest(250);
        AuditPage page;
        int pages = 0;
        do {
            page = store.audit(q);
            page.entries().forEach(e -> seen.add(e.seq()));
            pages++;
            if (page.next() != null) {
                q = q.before(page.next());
            }
        } while (page.next() != null);
        assertEquals(5, pages);
        assertEquals(OVERRIDES + 1, seen.size());
        assertEquals(OVERRIDES + 1, seen.stream().distinct().count());
        assertEquals(1L, seen.get(seen.size() - 1), "the last page ends with the very first line");
        assertEquals("npm:pkg-1@1.0.1", page.entries().get(page.entries().size() - 1).target());
    }

    @Test
    void aTargetFilterFindsALineOlderThanTheFirstPage() {
        AuditPage page = store.audit(AuditQuery.newest(100).withTarget("npm:pkg-7@1.0.7"));
        assertEquals(1, page.entries().size());
        assertEquals("r7", page.entries().get(0).reason());
        assertNull(page.next());
    }

    @Test
    void aPackageTargetIncludesTheLinesOfItsVersionsButNotOfSimilarNames() {
        AuditPage page = store.audit(new AuditQuery("npm:pkg-3", null, null, null, null, null, 1000));
        assertEquals(OVERRIDES / 10 + 1, page.entries().size());
        assertEquals("npm:pkg-3", page.entries().get(0).target());
        assertTrue(page.entries().stream().skip(1).allMatch(e -> e.target().startsWith("npm:pkg-3@")));
        store.changeOverride("npm:pkg-33@1.0.0", null,
                new AuditEntry(0, T0, "dave", "override_removed", "npm:pkg-33@1.0.0", null, null, "x"));
        assertEquals(OVERRIDES / 10 + 1,
                store.audit(new AuditQuery("npm:pkg-3", null, null, null, null, null, 1000)).entries().size());
    }

    @Test
    void actorActionAndTimeFiltersCombineOnTheServer() {
        Instant since = T0.plus(Duration.ofMinutes(100));
        Instant until = T0.plus(Duration.ofMinutes(200));
        AuditPage page = store.audit(new AuditQuery(null, "alice", "override_block", since, until, null, 1000));
        // Minutes 100..199 written by alice (even) with a block (multiple of 3): multiples of 6.
        assertEquals(List.of(198L, 192L), page.entries().stream().limit(2).map(AuditEntry::seq).toList());
        assertEquals(17, page.entries().size());
        assertTrue(page.entries().stream().allMatch(e -> e.seq() % 6 == 0 && e.seq() >= 100 && e.seq() < 200));
    }

    @Test
    void aFilteredPageCarriesACursorOnlyWhenAnOlderMatchExists() {
        AuditQuery q = new AuditQuery("npm:pkg-5", null, null, null, null, null, 60);
        AuditPage first = store.audit(q);
        assertEquals(60, first.entries().size());
        assertNotNull(first.next());
        AuditPage second = store.audit(q.before(first.next()));
        assertEquals(OVERRIDES / 10 - 60, second.entries().size());
        assertNull(second.next(), "exactly the remaining matches: no further page");
    }

    @Test
    void refusesALimitBelowOneAndACursorThatIsNoId() {
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.newest(0));
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.newest(10).before(0));
    }
}
