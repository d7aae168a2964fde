package dev.airlock.policy.store;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AuditEntry;
import dev.airlock.policy.OverrideAction;
import dev.airlock.policy.Reason;
import dev.airlock.policy.ReasonSource;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The child JVM of {@link VerdictStoreCrashTest}: writes verdicts and overrides as fast as it can
 * and prints each number once its transaction is committed, until it is killed.
 */
public final class CrashWriter {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int start = Integer.parseInt(args[1]);
        int max = Integer.parseInt(args[2]);
        VerdictStore s = VerdictStore.open(dir);
        for (int i = start; i < start + max; i++) {
            PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "pkg-" + i, "1.0." + i);
            Verdict v = Verdict.firstSighting(c, Instant.now(), null, true)
                    .withDecision(VerdictState.BLOCKED, List.of(Reason.of("admin_block", ReasonSource.ADMIN, "r" + i)),
                            Instant.now(), "admin:test");
            s.putVerdict(v);
            String target = "npm:pkg-" + i;
            s.changeOverride(target, new AdminOverride(target, OverrideAction.BLOCK, "reason " + i, null, "test", Instant.now()),
                    new AuditEntry(0, Instant.now(), "test", "override_block", target, "allowed", "blocked", "reason " + i));
            // Lazily committed writes in between, so the kill also lands while the group commit has work.
            s.putVerdictSoon(Verdict.firstSighting(PackageCoordinate.of(Ecosystem.PYPI, "lazy-" + i, "1.0"), Instant.now(),
                    null, true));
            System.out.println("committed " + i);
            System.out.flush();
        }
        s.close();
        System.out.println("done");
    }
}
