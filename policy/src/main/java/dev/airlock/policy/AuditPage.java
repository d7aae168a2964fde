package dev.airlock.policy;

import java.util.List;

/**
 * One page of the audit log, newest first.
 *
 * @param entries the lines of this page
 * @param next    the cursor for the next older page ({@link AuditQuery#before()}), or null when
 *                no older line matches
 */
public record AuditPage(List<AuditEntry> entries, Long next) {
    public AuditPage {
        entries = List.copyOf(entries);
    }
}
