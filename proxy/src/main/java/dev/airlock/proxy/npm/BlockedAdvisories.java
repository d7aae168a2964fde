package dev.airlock.proxy.npm;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Reason;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Airlock's blocked versions among those asked about, as npm bulk-advisory entries
 * ({@code POST /-/npm/v1/security/advisories/bulk}): body {@code {name: [versions]}}, answer
 * {@code {name: [{id, url, title, severity, vulnerable_versions, cwe}]}}, so {@code npm audit}
 * names what policy blocked. Names that are not valid npm names are skipped.
 */
public final class BlockedAdvisories implements Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> {
    private final Function<PackageCoordinate, Verdict> verdicts;
    private final String publicBase;

    /**
     * @param verdicts  the current verdict of a version, recording nothing
     * @param publicUrl the base the advisory links point at; null: relative links
     */
    public BlockedAdvisories(Function<PackageCoordinate, Verdict> verdicts, URI publicUrl) {
        this.verdicts = verdicts;
        String base = publicUrl == null ? "/" : publicUrl.toString();
        this.publicBase = base.endsWith("/") ? base : base + "/";
    }

    @Override
    public Map<String, List<Map<String, Object>>> apply(Map<String, List<String>> bulkRequest) {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        if (bulkRequest == null) {
            return out;
        }
        for (Map.Entry<String, List<String>> e : bulkRequest.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            for (String version : e.getValue()) {
                PackageCoordinate c;
                try {
                    c = new PackageCoordinate(Ecosystem.NPM, e.getKey(), version);
                } catch (IllegalArgumentException ex) {
                    continue;
                }
                Verdict v = verdicts.apply(c);
                if (v.state() == VerdictState.BLOCKED) {
                    out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(advisory(c, v.primaryReason()));
                }
            }
        }
        return out;
    }

    private Map<String, Object> advisory(PackageCoordinate c, Reason r) {
        Map<String, Object> adv = new LinkedHashMap<>();
        adv.put("id", advisoryId(c));
        adv.put("url", publicBase + "api/v1/packages/npm/" + c.name() + "/" + c.version());
        adv.put("title", "Blocked by Airlock: " + r.message());
        adv.put("severity", "critical");
        adv.put("vulnerable_versions", c.version());
        adv.put("cwe", List.of(cwe(r.code())));
        return adv;
    }

    /** A stable positive number per version: npm keys advisories by id. */
    private static long advisoryId(PackageCoordinate c) {
        long h = 1125899906842597L;
        for (char ch : c.toString().toCharArray()) {
            h = 31 * h + ch;
        }
        return 900_000_000L + Math.floorMod(h, 100_000_000L);
    }

    private static String cwe(String code) {
        return switch (code) {
            case "dependency_confusion" -> "CWE-427";
            case "typosquat", "admin_block", "denied_by_rule" -> "CWE-1357";
            default -> "CWE-506";
        };
    }
}
