package dev.airlock.proxy.admin;

import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.feed.FeedRecord;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The admin API's JSON shapes that several handlers share; docs/admin.md describes them. */
final class AdminJson {
    private AdminJson() {
    }

    /** One verdict, flat: what the CLI and the UI list. */
    static Map<String, Object> verdict(Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ecosystem", v.coordinate().ecosystem().id());
        m.put("name", v.coordinate().name());
        m.put("version", v.coordinate().version());
        m.put("state", v.state().id());
        m.put("reasons", v.reasons());
        m.put("decidedAt", v.decidedAt());
        m.put("decidedBy", v.decidedBy());
        m.put("firstSeen", v.firstSeen());
        m.put("publishedAt", v.publishedAt());
        m.put("analysisStage", v.analysisStage().name().toLowerCase(Locale.ROOT));
        m.put("analysisState", v.analysisState() == null ? null : v.analysisState().id());
        m.put("analysisReasons", v.analysisReasons());
        m.put("sha256", v.sha256());
        m.put("files", v.files());
        return m;
    }

    static Map<String, Object> override(AdminOverride o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", o.target());
        m.put("scope", o.target().contains("@") && o.target().lastIndexOf('@') > o.target().indexOf(':') + 1
                ? "version" : "package");
        m.put("action", o.action().id());
        m.put("reason", o.reason());
        m.put("expires", o.expires());
        m.put("by", o.by());
        m.put("at", o.at());
        return m;
    }

    static Map<String, Object> feed(FeedRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("summary", r.summary());
        m.put("modified", r.modified());
        return m;
    }
}
