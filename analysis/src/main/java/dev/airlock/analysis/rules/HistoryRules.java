package dev.airlock.analysis.rules;

import dev.airlock.analysis.Finding;
import dev.airlock.analysis.meta.PackageManifest;
import dev.airlock.analysis.rules.Hit.Context;
import dev.airlock.analysis.rules.Hit.Role;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares a release with the package's previous allowed one: what a hijacked account or a poisoned
 * build changes is what an honest release rarely does at the same time. Install-time code that appears,
 * a dependency that is itself days old, a new publisher who also dropped the provenance. Unknown facts
 * are never evidence, and a package without a previous version is not compared.
 */
public final class HistoryRules {
    /** A dependency first published this shortly before the release that adds it is a staging shape (plain-crypto-js). */
    static final Duration FRESH = Duration.ofDays(7);
    /** A file that appears this long after its version was published was added to an old release. */
    static final Duration LATE_FILE = Duration.ofDays(30);

    private HistoryRules() {
    }

    /**
     * @param manifest  what this release declares
     * @param publisher who this release names as author or maintainer in its own metadata (null when nobody)
     * @param release   what the registry says about this release (never null; fields may be unknown)
     * @param previous  the previous allowed release, or null
     * @param hits      the hits so far (static); history hits are added
     */
    public static void compare(PackageManifest manifest, String publisher, ReleaseFacts release, PreviousVersion previous,
                               List<Hit> hits) {
        if (release.filePublished() != null && release.versionPublished() != null
                && Duration.between(release.versionPublished(), release.filePublished()).compareTo(LATE_FILE) > 0) {
            hits.add(hit("file_added_to_old_release", "medium", "This file was uploaded "
                    + Duration.between(release.versionPublished(), release.filePublished()).toDays()
                    + " days after its version was published.", release.filePublished().toString(), Role.THREAT));
        }
        if (previous == null) {
            return;
        }
        String was = " (previous allowed version " + previous.version() + ")";
        PackageManifest before = previous.manifest();
        if (before != null && before.installScripts().keySet().stream().noneMatch(HistoryRules::runsOnInstall)
                && manifest.installScripts().keySet().stream().anyMatch(HistoryRules::runsOnInstall)) {
            hits.add(hit("install_script_added", "high", "This release adds an install script" + was + ".",
                    String.join(", ", manifest.installScripts().keySet()), Role.THREAT));
        }
        if (previous.staticRules() != null) {
            Set<String> added = new TreeSet<>();
            for (Hit h : hits) {
                boolean runsForEveryone = h.context() == Context.INSTALL || h.context() == Context.IMPORT;
                if (runsForEveryone && h.role() != Role.INFO && !previous.staticRules().contains(h.finding().rule())) {
                    added.add(h.finding().rule());
                }
            }
            boolean threat = hits.stream().anyMatch(h -> (h.context() == Context.INSTALL || h.context() == Context.IMPORT)
                    && h.role() != Role.INFO && h.role() != Role.CAPABILITY && added.contains(h.finding().rule()));
            if (threat) {
                // New intent in code that runs for everyone who installs: the shape of a poisoned release.
                hits.add(hit("new_install_or_import_behavior", "high", "Code that runs on install or import does something the"
                        + " previous allowed version did not" + was + ".", String.join(", ", added), Role.VERDICT_SUSPICIOUS));
            }
        }
        if (before != null) {
            for (String dep : manifest.dependencies().keySet()) {
                if (before.dependencies().containsKey(dep)) {
                    continue;
                }
                var published = release.dependencyPublished().get(dep);
                var at = release.versionPublished();
                if (published != null && at != null && Duration.between(published, at).compareTo(FRESH) < 0) {
                    hits.add(hit("fresh_dependency_added", "high", "This release adds a dependency that was first published "
                            + Math.max(0, Duration.between(published, at).toHours()) + " hours before it" + was + ".", dep,
                            Role.VERDICT_SUSPICIOUS));
                }
            }
        }
        boolean publisherChanged = changed(previous.publisher(), publisher)
                || previous.release() != null && changed(previous.release().publisher(), release.publisher());
        boolean provenanceDropped = previous.release() != null && Boolean.TRUE.equals(previous.release().attested())
                && Boolean.FALSE.equals(release.attested());
        if (publisherChanged) {
            hits.add(hit("publisher_changed", "medium", "Another account or author published this release" + was + ".",
                    Objects.toString(release.publisher() != null ? release.publisher() : publisher), Role.THREAT));
        }
        if (provenanceDropped) {
            // Both at once is how a stolen token looks: the attacker publishes from a laptop, not the project's CI.
            hits.add(hit("provenance_dropped", "high", "The previous release came with provenance; this one does not" + was + ".",
                    "attested before, not now", publisherChanged ? Role.VERDICT_SUSPICIOUS : Role.THREAT));
        }
    }

    private static boolean runsOnInstall(String hook) {
        return !hook.equals("prepare");
    }

    private static boolean changed(String before, String now) {
        return before != null && now != null && !before.equalsIgnoreCase(now);
    }

    private static Hit hit(String rule, String severity, String message, String evidence, Role role) {
        return new Hit(new Finding(rule, severity, "metadata", message, evidence, null), role, Context.PACKAGE, "package");
    }
}
