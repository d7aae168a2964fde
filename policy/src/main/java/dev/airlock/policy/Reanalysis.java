package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.review.AnalysisRecord;
import dev.airlock.policy.store.StoreJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-analysis on an admin's request, and the record of every analysis a version had. A request is
 * audited and queued; the version keeps its verdict until the new result arrives, which replaces
 * the old one (through the gate, as every result) and is audited as {@code analysis_replaced}.
 */
final class Reanalysis {
    private static final Logger LOG = LoggerFactory.getLogger(Reanalysis.class);
    private final PolicyGate gate;
    /** Versions asked for again and not yet answered: who asked, why, and the state then. */
    private final Map<PackageCoordinate, AuditEntry> requested = new ConcurrentHashMap<>();

    Reanalysis(PolicyGate gate) {
        this.gate = gate;
    }

    /** Audits one line per version (one transaction), then queues each. */
    List<AuditEntry> request(List<Verdict> versions, String reason, String who) {
        Instant now = gate.clock().instant();
        List<AuditEntry> lines = new ArrayList<>();
        for (Verdict v : versions) {
            lines.add(new AuditEntry(0, now, who, "reanalysis_requested", v.coordinate().toString(), v.state().id(),
                    v.state().id(), Reason.ascii(reason)));
        }
        List<AuditEntry> written = gate.store().appendAudit(lines);
        for (int i = 0; i < versions.size(); i++) {
            PackageCoordinate c = versions.get(i).coordinate();
            requested.put(c, written.get(i));
            gate.queue().reanalyze(c);
        }
        return written;
    }

    /** After the gate recorded a result: keep it in the version's analysis log, audit a replacement. */
    void recorded(PackageCoordinate c, ArtifactFile file, AnalysisResult result) {
        try {
            AuditEntry asked = requested.remove(c);
            Verdict now = gate.evaluate(c);
            Set<String> rules = new LinkedHashSet<>();
            for (Finding f : result.findings()) {
                if (f.rule() != null) {
                    rules.add(f.rule());
                }
            }
            AnalysisRecord rec = new AnalysisRecord(gate.clock().instant(), file == null ? null : file.name(),
                    result.recommendation() == null ? null : result.recommendation().name().toLowerCase(java.util.Locale.ROOT), now.state().id(),
                    new ArrayList<>(rules), result.findings().size(), result.sha256(), result.behavior() != null,
                    result.staticMs(), result.dynamicMs(), asked != null);
            gate.store().appendAnalysisRecord(c, StoreJson.write(rec));
            if (asked != null) {
                gate.appendAuditQuietly(new AuditEntry(0, rec.at(), "analysis", "analysis_replaced", c.toString(),
                        asked.previousState(), now.state().id(), "re-analysis asked by " + asked.who() + " ("
                        + asked.reason() + "): " + rec.recommendation() + ", " + rec.findingCount() + " finding(s)"));
            }
        } catch (RuntimeException e) {
            // The verdict is recorded already; the log is a side path.
            LOG.warn("could not record the analysis log of {}", c, e);
        }
    }

    /** Every analysis the version had, oldest first. */
    List<AnalysisRecord> history(PackageCoordinate c) {
        List<AnalysisRecord> out = new ArrayList<>();
        for (String json : gate.store().analysisRecords(c)) {
            out.add(StoreJson.read(json, AnalysisRecord.class));
        }
        return out;
    }
}
