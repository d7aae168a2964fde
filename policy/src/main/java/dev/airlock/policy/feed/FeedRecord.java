package dev.airlock.policy.feed;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageNames;
import dev.airlock.policy.version.VersionOrder;
import java.util.Comparator;
import java.util.List;

/**
 * One OSV record of a malicious package, reduced to what matching needs.
 *
 * @param id       the record id, e.g. {@code MAL-2024-1234}
 * @param summary  the record's summary (may be null)
 * @param modified the record's own modification time, as written
 * @param affected the packages and versions it names
 */
public record FeedRecord(String id, String summary, String modified, List<Affected> affected) {
    public FeedRecord {
        affected = affected == null ? List.of() : List.copyOf(affected);
    }

    /** True when this record names the version. */
    public boolean matches(PackageCoordinate c) {
        for (Affected a : affected) {
            if (a.matches(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param ecosystem {@code npm} or {@code pypi}
     * @param name      normalised name
     * @param versions  explicit versions
     * @param ranges    OSV ranges (SEMVER or ECOSYSTEM events)
     */
    public record Affected(String ecosystem, String name, List<String> versions, List<Range> ranges) {
        public Affected {
            versions = versions == null ? List.of() : List.copyOf(versions);
            ranges = ranges == null ? List.of() : List.copyOf(ranges);
        }

        boolean matches(PackageCoordinate c) {
            if (!c.ecosystem().id().equals(ecosystem) || !c.name().equals(name)) {
                return false;
            }
            // OSV records of malicious packages without versions or ranges mean every version.
            if (versions.isEmpty() && ranges.isEmpty()) {
                return true;
            }
            Ecosystem eco = c.ecosystem();
            for (String v : versions) {
                if (sameVersion(eco, v, c.version())) {
                    return true;
                }
            }
            for (Range r : ranges) {
                if (r.matches(eco, c.version())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean sameVersion(Ecosystem eco, String a, String b) {
            if (a.equals(b)) {
                return true;
            }
            return eco == Ecosystem.PYPI && VersionOrder.parseable(eco, a) && VersionOrder.parseable(eco, b)
                    && VersionOrder.of(eco).compare(a, b) == 0;
        }
    }

    /** @param type {@code SEMVER} or {@code ECOSYSTEM} ({@code GIT} ranges never match a registry version) */
    public record Range(String type, List<Event> events) {
        public Range {
            events = events == null ? List.of() : List.copyOf(events);
        }

        /**
         * Walks the events in version order: an introduced at or below the version opens the
         * range, a fixed at or below closes it, a last_affected below it closes it.
         */
        boolean matches(Ecosystem eco, String version) {
            if ("GIT".equalsIgnoreCase(type) || !VersionOrder.parseable(eco, version)) {
                return false;
            }
            Comparator<String> order = VersionOrder.of(eco);
            List<Event> sorted = events.stream().sorted((x, y) -> compareEvent(order, x, y)).toList();
            boolean affected = false;
            for (Event e : sorted) {
                if (e.introduced() != null) {
                    if (e.introduced().equals("0") || order.compare(e.introduced(), version) <= 0) {
                        affected = true;
                    }
                } else if (e.fixed() != null) {
                    if (order.compare(e.fixed(), version) <= 0) {
                        affected = false;
                    }
                } else if (e.lastAffected() != null) {
                    if (order.compare(e.lastAffected(), version) < 0) {
                        affected = false;
                    }
                } else if (e.limit() != null) {
                    if (!e.limit().equals("*") && order.compare(e.limit(), version) <= 0) {
                        affected = false;
                    }
                }
            }
            return affected;
        }

        private static int compareEvent(Comparator<String> order, Event x, Event y) {
            String a = x.version();
            String b = y.version();
            if (a.equals("0") || b.equals("0")) {
                return a.equals(b) ? 0 : (a.equals("0") ? -1 : 1);
            }
            return order.compare(a, b);
        }
    }

    /** One OSV range event; exactly one field is set. */
    public record Event(String introduced, String fixed, String lastAffected, String limit) {
        String version() {
            return introduced != null ? introduced : fixed != null ? fixed : lastAffected != null ? lastAffected
                    : limit != null ? limit : "0";
        }
    }

    static String normaliseName(Ecosystem eco, String name) {
        return PackageNames.normalize(eco, name);
    }
}
