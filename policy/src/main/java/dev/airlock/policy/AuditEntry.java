package dev.airlock.policy;

import java.time.Instant;

/**
 * One line of the append-only audit log.
 *
 * @param seq           position in the log (strictly increasing)
 * @param at            when
 * @param who           identity of the actor (admin token identity, {@code analysis}, {@code feed})
 * @param action        what was done, e.g. {@code override_allow}, {@code override_removed}, {@code feed_import}
 * @param target        {@code ecosystem:name@version}, {@code ecosystem:name} or a feed source
 * @param previousState effective state before (null when not a version)
 * @param newState      effective state after (null when not a version)
 * @param reason        the reason given
 */
public record AuditEntry(long seq, Instant at, String who, String action, String target, String previousState,
                         String newState, String reason) {
}
