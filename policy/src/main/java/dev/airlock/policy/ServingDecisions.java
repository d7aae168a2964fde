package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verdict as the proxy acts on it: serve, or refuse with a code, a sentence and a retry hint.
 * In audit mode everything is served and the answer says what would have been refused.
 */
final class ServingDecisions {
    static final String PENDING_CODE = "quarantined_pending";
    static final String PENDING_MESSAGE = "Quarantined: analysis pending";
    static final String NO_SANDBOX_MESSAGE = "Quarantined: analysis pending (sandbox unavailable)";
    static final long PENDING_RETRY_SECONDS = 60;
    static final long STATIC_RETRY_SECONDS = 15;
    private static final Logger LOG = LoggerFactory.getLogger(ServingDecisions.class);

    private final boolean audit;
    private final Overrides overrides;

    ServingDecisions(boolean audit, Overrides overrides) {
        this.audit = audit;
        this.overrides = overrides;
    }

    Decision of(Verdict v) {
        Reason r = v.primaryReason();
        Decision d = switch (v.state()) {
            case ALLOWED -> Decision.allow();
            case BLOCKED -> Decision.hide(r.code(), blockedMessage(v.coordinate(), r));
            case QUARANTINED -> Decision.hide(r.code(), "Quarantined: " + r.message());
            case PENDING -> r.code().equals("analysis_pending")
                    ? Decision.hold(PENDING_CODE, PENDING_MESSAGE, PENDING_RETRY_SECONDS)
                    : r.code().equals(VerdictDecider.NO_SANDBOX_CODE)
                    ? Decision.hold(VerdictDecider.NO_SANDBOX_CODE, NO_SANDBOX_MESSAGE, PENDING_RETRY_SECONDS)
                    : Decision.hold(r.code(), "Held: " + r.message(), PENDING_RETRY_SECONDS);
        };
        return audited(d, v.coordinate());
    }

    /** An admin's block names the admin and their reason; everything else says what blocked it. */
    private String blockedMessage(PackageCoordinate c, Reason r) {
        if (r.code().equals("admin_block")) {
            var block = overrides.activeFor(c).filter(o -> o.action() == OverrideAction.BLOCK);
            if (block.isPresent()) {
                return Reason.ascii("Blocked by admin" + Overrides.scope(block.get(), c) + ": " + block.get().reason());
            }
        }
        return "Blocked: " + r.message();
    }

    /** The static check did not finish within the wait: a refusal that clears by itself. */
    Decision staticCheckPending(PackageCoordinate c) {
        return audited(Decision.hold("static_check_pending", "Quarantined: static analysis still running, retry shortly",
                STATIC_RETRY_SECONDS), c);
    }

    /** The static check could not run: never a verdict on the package, so held, not blocked. */
    Decision staticCheckFailed(PackageCoordinate c, Throwable cause) {
        return audited(Decision.hold("static_check_failed", "Quarantined: static analysis failed ("
                + Reason.ascii(cause.getClass().getSimpleName()) + ")", PENDING_RETRY_SECONDS), c);
    }

    private Decision audited(Decision d, PackageCoordinate c) {
        if (!audit || d.serve()) {
            return d;
        }
        LOG.info("audit mode: would refuse {}: {} ({})", c, d.message(), d.code());
        return new Decision(true, "audit_" + d.code(), "Audit: would refuse: " + d.message(), 0);
    }

    /** Only a plain analysis hold is worth waiting for: a rule or review will not clear in seconds. */
    static boolean waitsForAnalysis(Verdict v) {
        return v.state() == VerdictState.PENDING && v.reasons().stream().allMatch(r -> r.code().equals("analysis_pending"));
    }

    /** Held until its full analysis, whether or not a sandbox runs right now. */
    static boolean holdsForAnalysis(Verdict v) {
        return v.state() == VerdictState.PENDING && v.reasons().stream()
                .allMatch(r -> r.code().equals("analysis_pending") || r.code().equals(VerdictDecider.NO_SANDBOX_CODE));
    }
}
