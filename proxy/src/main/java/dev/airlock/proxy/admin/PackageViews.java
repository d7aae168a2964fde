package dev.airlock.proxy.admin;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.AdminOverride;
import dev.airlock.policy.AnalysisLookup;
import dev.airlock.policy.PolicyAdmin;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.feed.FeedRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET packages/{package}}, {@code GET packages/{package}/{version}} and its downloads:
 * what Airlock knows about a package or a version, with the analysis of each file, every earlier
 * analysis and the last infrastructure failure.
 */
final class PackageViews {
    private static final Logger LOG = LoggerFactory.getLogger(PackageViews.class);
    private final PolicyAdmin admin;
    private final AnalysisLookup analyses;

    PackageViews(PolicyAdmin admin, AnalysisLookup analyses) {
        this.admin = admin;
        this.analyses = analyses;
    }

    void packageView(AdminRequest req) {
        PackageId id = req.packageId();
        if (!admin.knows(id)) {
            throw ApiProblem.notFound("Airlock knows no version of " + id);
        }
        req.respond(packageBody(id));
    }

    Map<String, Object> packageBody(PackageId id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ecosystem", id.ecosystem().id());
        body.put("name", id.name());
        body.put("override", admin.override(id.toString()).map(AdminJson::override).orElse(null));
        List<Map<String, Object>> versions = new ArrayList<>();
        for (Verdict v : admin.versionsOf(id)) {
            versions.add(AdminJson.verdict(v));
        }
        body.put("versions", versions);
        body.put("feedRecords", admin.feedRecords(id).stream().map(AdminJson::feed).toList());
        return body;
    }

    void versionView(AdminRequest req) {
        PackageCoordinate c = req.version();
        Optional<AdminOverride> own = admin.override(c.toString());
        Optional<AdminOverride> pkg = admin.override(c.packageId().toString());
        Optional<FeedRecord> feed = admin.feedRecord(c);
        Optional<AnalysisResult> analysis = lookup(c);
        boolean seen = admin.seen(c);
        if (!seen && own.isEmpty() && pkg.isEmpty() && feed.isEmpty() && analysis.isEmpty()) {
            throw ApiProblem.notFound("Airlock has not seen " + c);
        }
        req.respond(versionBody(c, analysis));
    }

    /** The version page's body; {@code analysis} empty: without the analysis summary (after an override). */
    Map<String, Object> versionBody(PackageCoordinate c, Optional<AnalysisResult> analysis) {
        Map<String, Object> body = AdminJson.verdict(admin.version(c));
        body.put("seen", admin.seen(c));
        body.put("override", admin.override(c.toString()).or(() -> admin.override(c.packageId().toString()))
                .map(AdminJson::override).orElse(null));
        body.put("feedRecord", admin.feedRecord(c).map(AdminJson::feed).orElse(null));
        if (analysis.isPresent()) {
            AnalysisResult a = analysis.get();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("recommendation", a.recommendation() == null ? null : a.recommendation().verdict());
            summary.put("sha256", a.sha256());
            summary.put("staticMs", a.staticMs());
            summary.put("dynamicMs", a.dynamicMs());
            summary.put("findingCount", a.findings().size());
            body.put("analysis", summary);
            body.put("findings", a.findings());
            body.put("behavior", a.behavior());
        } else {
            body.put("analysis", null);
            body.put("findings", List.of());
            body.put("behavior", null);
        }
        body.put("analyses", fileAnalyses(c));
        body.put("analysisHistory", history(c));
        body.put("infrastructureFailure", failureOf(c));
        return body;
    }

    void downloads(AdminRequest req) {
        PackageCoordinate c = req.version();
        var list = admin.downloads(c, req.limit());
        if (list.isEmpty() && !admin.seen(c)) {
            throw ApiProblem.notFound("Airlock has not seen " + c);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ecosystem", c.ecosystem().id());
        body.put("name", c.name());
        body.put("version", c.version());
        body.put("count", list.size());
        // Each record counts one client's downloads within a second; this is how many there were.
        body.put("downloadCount", list.stream().mapToLong(dev.airlock.policy.DownloadRecord::count).sum());
        body.put("downloads", list);
        req.respond(body);
    }

    private Object history(PackageCoordinate c) {
        try {
            return admin.analysisHistory(c);
        } catch (RuntimeException e) {
            LOG.warn("analysis history lookup failed for {}", c, e);
            return List.of();
        }
    }

    /** One entry per analysed file: what the analysis of that file found and what the sandbox saw. */
    private List<Map<String, Object>> fileAnalyses(PackageCoordinate c) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, AnalysisResult> byFile;
        try {
            byFile = analyses.files(c);
        } catch (RuntimeException e) {
            LOG.warn("file analyses lookup failed for {}", c, e);
            return out;
        }
        for (Map.Entry<String, AnalysisResult> e : byFile.entrySet()) {
            AnalysisResult a = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", e.getKey().isEmpty() ? null : e.getKey());
            m.put("recommendation", a.recommendation() == null ? null : a.recommendation().verdict());
            m.put("sha256", a.sha256());
            m.put("sandbox", a.behavior() != null);
            m.put("staticMs", a.staticMs());
            m.put("dynamicMs", a.dynamicMs());
            m.put("findings", a.findings());
            m.put("behavior", a.behavior());
            out.add(m);
        }
        return out;
    }

    private Map<String, Object> failureOf(PackageCoordinate c) {
        try {
            return analyses.failure(c).map(f -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", f.at());
                m.put("job", f.job());
                m.put("cause", f.cause());
                m.put("detail", f.detail());
                m.put("attempt", f.attempt());
                return m;
            }).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("failure lookup failed for {}", c, e);
            return null;
        }
    }

    private Optional<AnalysisResult> lookup(PackageCoordinate c) {
        try {
            return analyses.find(c);
        } catch (RuntimeException e) {
            // The analysis summary decorates the view; the verdict is still worth showing without it.
            LOG.warn("analysis lookup failed for {}", c, e);
            return Optional.empty();
        }
    }
}
