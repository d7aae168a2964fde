package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Combines hits into a recommendation. The rule of thumb from the issue: a capability plus a
 * threat in install-time code is malicious. Code that runs as a module loads counts the same
 * only for strong threats (exfiltration endpoints, credential stores, droppers, decoded exec);
 * elsewhere such a combination is worth a person's look, not a block.
 */
public final class Verdicts {
    private static final Set<String> SELF_EVIDENT = Set.of("obfuscated_code_execution", "embedded_code_dropper",
            "obfuscated_command");

    private static final Set<String> CREDENTIAL_RULES = Set.of("credential_file_access", "credential_store_access");
    private static final Set<String> IDENTITY_RULES = Set.of("host_fingerprinting", "identity_beacon", "environment_harvest",
            "credential_file_access");
    /** Findings that show intent and action at once; they need no separate capability to be decisive. */
    private static final Set<String> SELF_SUFFICIENT = Set.of("download_and_execute", "obfuscated_code_execution",
            "identity_beacon", "self_publish", "ai_cli_abuse", "secret_scanner", "dns_exfiltration");

    private Verdicts() {
    }

    public record Outcome(Recommendation recommendation, List<Finding> decisive, List<Finding> all) {
    }

    public static Outcome combine(List<Hit> hits) {
        Set<Hit> decisive = new LinkedHashSet<>();
        hits.stream().filter(h -> h.role() == Role.VERDICT_MALICIOUS).forEach(decisive::add);

        List<Hit> installThreats = hits.stream().filter(h -> h.context() == Context.INSTALL && h.isThreat()).toList();
        List<Hit> installCaps = hits.stream().filter(h -> h.context() == Context.INSTALL && h.role() == Role.CAPABILITY).toList();
        boolean selfSufficient = installThreats.stream().anyMatch(h -> h.role() == Role.STRONG_THREAT
                && SELF_SUFFICIENT.contains(h.finding().rule()));
        if (!installThreats.isEmpty() && (!installCaps.isEmpty() || selfSufficient)) {
            decisive.addAll(installThreats);
            decisive.addAll(installCaps);
        }
        for (Hit strong : hits) {
            if (strong.context() == Context.IMPORT && strong.role() == Role.STRONG_THREAT) {
                List<Hit> caps = hits.stream().filter(h -> h.group().equals(strong.group()) && h.role() == Role.CAPABILITY
                        && h.context() != Context.INSTALL).toList();
                boolean self = SELF_SUFFICIENT.contains(strong.finding().rule());
                if (!caps.isEmpty() || self) {
                    decisive.add(strong);
                    decisive.addAll(caps);
                }
            }
        }
        for (Hit cred : hits) {
            // A credential file read and a connection opened by the same file as it loads (or installs): an
            // import-time stealer's whole shape. A library that uses keys reads them when called, not on import.
            if ((cred.context() == Context.IMPORT || cred.context() == Context.INSTALL)
                    && CREDENTIAL_RULES.contains(cred.finding().rule())) {
                List<Hit> sends = hits.stream().filter(h -> h.group().equals(cred.group()) && h.context() == cred.context()
                        && h.role() == Role.CAPABILITY && h.finding().rule().equals("network_access")).toList();
                if (!sends.isEmpty()) {
                    decisive.add(cred);
                    decisive.addAll(sends);
                }
            }
        }
        if (!decisive.isEmpty()) {
            return outcome(Recommendation.MALICIOUS, decisive, hits);
        }

        hits.stream().filter(h -> h.role() == Role.VERDICT_SUSPICIOUS).forEach(decisive::add);
        if (!installThreats.isEmpty()) {
            decisive.addAll(installThreats);
        }
        for (Hit strong : hits) {
            if (strong.role() != Role.STRONG_THREAT) {
                continue;
            }
            if (strong.finding().rule().equals("obfuscated_code_execution") && strong.context() != Context.RUNTIME) {
                decisive.add(strong);
                continue;
            }
            // Library code that only may do something when called (a webhook client, a cookie reader) is a
            // feature; it weighs only when it runs on install or import.
            if (strong.context() == Context.RUNTIME && !SELF_EVIDENT.contains(strong.finding().rule())) {
                // ...unless one file pairs two different kinds of intent (a credential store and an exfiltration
                // endpoint, say): that is a stealer's shape, not a library feature.
                long kinds = hits.stream().filter(h -> h.group().equals(strong.group()) && h.role() == Role.STRONG_THREAT)
                        .map(h -> h.finding().rule()).distinct().count();
                // ...or an exfiltration endpoint sits in one file with both network access and process execution (a
                // reverse shell, a stealer that kills the browser first): a webhook client has no use for running programs.
                Set<String> capKinds = new HashSet<>();
                hits.stream().filter(h -> h.group().equals(strong.group()) && h.role() == Role.CAPABILITY)
                        .forEach(h -> capKinds.add(h.finding().rule()));
                boolean endpointWithTools = strong.finding().rule().equals("exfiltration_endpoint")
                        && capKinds.contains("network_access") && capKinds.contains("process_execution");
                // ...or the file that names a collection endpoint also gathers who and where the user is: a beacon.
                boolean endpointWithIdentity = strong.finding().rule().equals("exfiltration_endpoint")
                        && hits.stream().anyMatch(h -> h.group().equals(strong.group()) && IDENTITY_RULES.contains(h.finding().rule()));
                if (kinds < 2 && !endpointWithTools && !endpointWithIdentity) {
                    continue;
                }
            }
            List<Hit> caps = hits.stream().filter(h -> h.group().equals(strong.group()) && h.role() == Role.CAPABILITY).toList();
            if (!caps.isEmpty()) {
                decisive.add(strong);
                decisive.addAll(caps);
            }
        }
        for (Hit weak : hits) {
            // A fixed public IP next to both sockets and a shell in one library file is a dropper's or backdoor's
            // shape even if only a function call sets it off; API clients name hosts, not addresses.
            boolean rawIpWithTools = weak.finding().rule().equals("raw_ip_endpoint");
            if (weak.role() != Role.THREAT || weak.context() == Context.RUNTIME && !rawIpWithTools) {
                continue;
            }
            List<Hit> caps = hits.stream().filter(h -> h.group().equals(weak.group()) && h.role() == Role.CAPABILITY).toList();
            Set<String> capKinds = new HashSet<>();
            caps.forEach(h -> capKinds.add(h.finding().rule()));
            boolean enough = weak.context() == Context.RUNTIME
                    ? capKinds.contains("network_access") && capKinds.contains("process_execution")
                    : capKinds.size() >= 2;
            if (enough) {
                decisive.add(weak);
                decisive.addAll(caps);
            }
        }
        boolean packageThreat = hits.stream().anyMatch(h -> h.context() == Context.PACKAGE && h.role() == Role.THREAT);
        // A high version alone is a release-numbering habit (and installers that download a browser driver run programs
        // and use the network too); it weighs only when install-time code also reads who and where the user is.
        boolean installIdentity = hits.stream().anyMatch(h -> h.context() == Context.INSTALL
                && h.finding().rule().equals("install_identity_collection"));
        if (packageThreat && !installCaps.isEmpty() && installIdentity) {
            hits.stream().filter(h -> h.context() == Context.PACKAGE && h.role() == Role.THREAT).forEach(decisive::add);
            decisive.addAll(installCaps);
        }
        if (!decisive.isEmpty()) {
            return outcome(Recommendation.SUSPICIOUS, decisive, hits);
        }
        EvidenceModel.Score score = EvidenceModel.bundled().score(hits);
        if (score.overThreshold()) {
            // Many weak signals together: the score, then the ones that weighed most, are what a person is shown.
            decisive.add(new Hit(EvidenceModel.explain(score, true), Role.VERDICT_SUSPICIOUS, Context.PACKAGE, "model"));
            score.contributions().stream().filter(e -> e.getValue() > 0).limit(4).forEach(e -> decisive.add(e.getKey()));
            return outcome(Recommendation.SUSPICIOUS, decisive, hits);
        }
        return outcome(Recommendation.CLEAN, decisive, hits);
    }

    private static Outcome outcome(Recommendation r, Set<Hit> decisive, List<Hit> hits) {
        List<Finding> d = new ArrayList<>();
        decisive.forEach(h -> d.add(h.finding()));
        List<Finding> all = new ArrayList<>(d);
        for (Hit h : hits) {
            if (!decisive.contains(h) && all.size() < 60) {
                all.add(h.finding());
            }
        }
        EvidenceModel.Score score = EvidenceModel.bundled().score(hits);
        if (!score.contributions().isEmpty() && d.stream().noneMatch(f -> f.rule().equals("evidence_score"))) {
            all.add(EvidenceModel.explain(score, false));
        }
        return new Outcome(r, d, all);
    }
}
