package dev.airlock.policy;

import java.time.Instant;

/**
 * Which audit lines to read, newest first. Every filter is optional (null: any).
 *
 * @param target a version target ({@code npm:left-pad@1.3.1}) matches that line exactly; a package
 *               target ({@code npm:left-pad}) also matches the lines of each of its versions, so a
 *               package's history includes them
 * @param actor  exact identity that wrote the line ({@link AuditEntry#who()})
 * @param action exact action, e.g. {@code override_block}
 * @param since  lines at or after this instant
 * @param until  lines strictly before this instant, so {@code since}/{@code until} pages of time do not overlap
 * @param before the paging cursor: only lines with a smaller {@link AuditEntry#seq()}; it is the
 *               {@link AuditPage#next()} of the previous page
 * @param limit  most lines in one page (at least 1)
 */
public record AuditQuery(String target, String actor, String action, Instant since, Instant until, Long before, int limit) {
    public AuditQuery {
        target = blankToNull(target);
        actor = blankToNull(actor);
        action = blankToNull(action);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        if (before != null && before < 1) {
            throw new IllegalArgumentException("before must be an audit entry id (1 or more), got " + before);
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since must be before until");
        }
    }

    /** The newest {@code limit} lines, unfiltered. */
    public static AuditQuery newest(int limit) {
        return new AuditQuery(null, null, null, null, null, null, limit);
    }

    /** The same filters, one page further back. */
    public AuditQuery before(long seq) {
        return new AuditQuery(target, actor, action, since, until, seq, limit);
    }

    public AuditQuery withTarget(String t) {
        return new AuditQuery(t, actor, action, since, until, before, limit);
    }

    public boolean matches(AuditEntry e) {
        if (target != null && !target.equals(e.target())
                && (e.target() == null || !e.target().startsWith(target + "@"))) {
            return false;
        }
        if (actor != null && !actor.equals(e.who())) {
            return false;
        }
        if (action != null && !action.equals(e.action())) {
            return false;
        }
        if (since != null && (e.at() == null || e.at().isBefore(since))) {
            return false;
        }
        return until == null || (e.at() != null && e.at().isBefore(until));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
