package dev.airlock.proxy.admin;

import dev.airlock.policy.PolicyAdmin;
import dev.airlock.policy.feed.MalwareFeed;
import java.io.IOException;

/** {@code POST feeds/osv}: one OSV JSON record, a JSON array of them, or a zip. */
final class FeedHandler {
    private final PolicyAdmin admin;

    FeedHandler(PolicyAdmin admin) {
        this.admin = admin;
    }

    void importOsv(AdminRequest req) {
        byte[] bytes = req.exchange().bodyBytes();
        if (bytes.length == 0) {
            throw ApiProblem.badRequest("empty body: send one OSV JSON record, a JSON array of them, or a zip");
        }
        MalwareFeed.ImportReport r;
        try {
            r = admin.importOsv(bytes, "api", req.identity());
        } catch (IOException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        req.respond(r.toMap());
    }
}
