package dev.airlock.analysis.store;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.sandbox.BehaviorReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** Compares a version with the previous analysed version of the same package. */
public final class BehaviorDiff {
    private static final Set<String> TRACKED = Set.of("install_script", "network_access", "process_execution",
            "exfiltration_endpoint", "credential_file_access", "credential_store_access", "raw_ip_endpoint");

    private BehaviorDiff() {
    }

    public static List<Finding> compare(AnalysisResult previous, String previousVersion, AnalysisResult current) {
        List<Finding> out = new ArrayList<>();
        if (previous == null) {
            return out;
        }
        diff(out, previousVersion, "static capabilities", keys(previous.findings()), keys(current.findings()));
        diff(out, previousVersion, "network destinations", dyn(previous, p -> p.network().stream()
                .map(n -> (n.hostname() == null ? n.address() : n.hostname()) + ":" + n.port()).toList()),
                dyn(current, p -> p.network().stream().map(n -> (n.hostname() == null ? n.address() : n.hostname()) + ":" + n.port()).toList()));
        diff(out, previousVersion, "DNS names", dyn(previous, p -> p.dns().stream().map(BehaviorReport.DnsQuery::hostname).toList()),
                dyn(current, p -> p.dns().stream().map(BehaviorReport.DnsQuery::hostname).toList()));
        diff(out, previousVersion, "commands", dyn(previous, p -> p.commands().stream().map(c -> c.argv().get(0)).toList()),
                dyn(current, p -> p.commands().stream().map(c -> c.argv().get(0)).toList()));
        diff(out, previousVersion, "credential reads", dyn(previous, p -> p.baits().stream().map(BehaviorReport.BaitAccess::path).toList()),
                dyn(current, p -> p.baits().stream().map(BehaviorReport.BaitAccess::path).toList()));
        return out;
    }

    private static Set<String> keys(List<Finding> findings) {
        Set<String> s = new TreeSet<>();
        for (Finding f : findings) {
            if (TRACKED.contains(f.rule())) {
                s.add(f.rule() + (f.rule().equals("install_script") ? " " + f.evidence() : ""));
            }
        }
        return s;
    }

    private static Set<String> dyn(AnalysisResult r, Function<BehaviorReport.Phase, List<String>> f) {
        Set<String> s = new TreeSet<>();
        if (r.behavior() != null) {
            r.behavior().phases().forEach(p -> s.addAll(f.apply(p)));
        }
        return s;
    }

    private static void diff(List<Finding> out, String previousVersion, String what, Set<String> before, Set<String> after) {
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        if (!added.isEmpty()) {
            String ev = "new since " + previousVersion + ": " + String.join(", ", added);
            out.add(new Finding("behavior_changed", "medium", "static",
                    "This version adds " + what + " the previous analysed version did not have.",
                    ev.length() > 300 ? ev.substring(0, 297) + "..." : ev, null));
        }
    }
}
