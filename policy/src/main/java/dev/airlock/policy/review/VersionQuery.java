package dev.airlock.policy.review;

import dev.airlock.model.Ecosystem;
import dev.airlock.policy.FileAnalysis;
import dev.airlock.policy.Reason;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which versions a listing or a bulk action selects. Every field is optional (null: any); all
 * given fields must match.
 *
 * @param states      the states, e.g. {@code quarantined}; {@code held} stands for pending, quarantined and blocked
 * @param ecosystem   npm or pypi
 * @param reason      a reason code of the verdict, e.g. {@code sandbox_error}
 * @param rule        a finding rule of the analysis of the version or of any of its files
 * @param name        the package name, {@code *} matching any run of characters (case-insensitive)
 * @param olderThan   first seen at least this long ago
 * @param newerThan   first seen less than this long ago
 */
public record VersionQuery(Set<VerdictState> states, Ecosystem ecosystem, String reason, String rule, String name,
                           Duration olderThan, Duration newerThan) {
    private static final Pattern CODE = Pattern.compile("^[a-z][a-z0-9_]*$");
    /** What waits on a person or an analysis: pending, quarantined and blocked. */
    public static final Set<VerdictState> HELD = Set.of(VerdictState.PENDING, VerdictState.QUARANTINED, VerdictState.BLOCKED);
    public static final VersionQuery ANY = new VersionQuery(null, null, null, null, null, null, null);

    public VersionQuery {
        states = states == null || states.isEmpty() ? null : Set.copyOf(states);
        reason = code(reason, "reason");
        rule = code(rule, "rule");
        name = name == null || name.isBlank() ? null : name.trim().toLowerCase(Locale.ROOT);
        if (olderThan != null && olderThan.isNegative() || newerThan != null && newerThan.isNegative()) {
            throw new IllegalArgumentException("an age must not be negative");
        }
    }

    /**
     * Parses {@code state=quarantined,reason=sandbox_error,name=left-*,olderThan=1h}: the CLI's
     * {@code --where}. Keys: state, ecosystem, reason, rule, name, olderThan, newerThan.
     */
    public static VersionQuery parse(String where) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (where != null && !where.isBlank()) {
            for (String part : where.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected key=value in '" + part.trim()
                            + "' (keys: state, ecosystem, reason, rule, name, olderThan, newerThan)");
                }
                String key = part.substring(0, eq).trim();
                if (fields.put(key, part.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException("'" + key + "' given twice");
                }
            }
        }
        return of(fields);
    }

    /** From named fields (the API's query parameters or JSON object); unknown keys are refused. */
    public static VersionQuery of(Map<String, String> fields) {
        String states = null;
        String eco = null;
        String reason = null;
        String rule = null;
        String name = null;
        String older = null;
        String newer = null;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String v = e.getValue() == null || e.getValue().isBlank() ? null : e.getValue().trim();
            switch (e.getKey()) {
                case "state" -> states = v;
                case "ecosystem" -> eco = v;
                case "reason" -> reason = v;
                case "rule" -> rule = v;
                case "name" -> name = v;
                case "olderThan" -> older = v;
                case "newerThan" -> newer = v;
                default -> throw new IllegalArgumentException("unknown filter '" + e.getKey()
                        + "' (known: state, ecosystem, reason, rule, name, olderThan, newerThan)");
            }
        }
        return new VersionQuery(states(states), eco == null ? null : Ecosystem.parse(eco), reason, rule, name,
                duration(older, "olderThan"), duration(newer, "newerThan"));
    }

    /** {@code quarantined}, {@code pending|blocked} or {@code held}. */
    static Set<VerdictState> states(String text) {
        if (text == null) {
            return null;
        }
        Set<VerdictState> out = EnumSet.noneOf(VerdictState.class);
        for (String s : text.split("[|+ ]")) {
            if (s.isBlank()) {
                continue;
            }
            if (s.trim().equalsIgnoreCase("held")) {
                out.addAll(HELD);
            } else {
                out.add(VerdictState.parse(s));
            }
        }
        return out;
    }

    /** {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT2H}). */
    static Duration duration(String text, String what) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(what + " must be a duration like 90s, 15m, 2h or 7d, got '" + text + "'");
        }
    }

    private static String code(String text, String what) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        if (!CODE.matcher(t).matches()) {
            throw new IllegalArgumentException(what + " must be a snake_case code like sandbox_error, got '" + text + "'");
        }
        return t;
    }

    /** Whether the query needs the decided state (everything but the state can be read from the stored facts). */
    public boolean selectsState() {
        return states != null;
    }

    /** Whether the version's facts (everything but its state) match. */
    public boolean matchesFacts(Verdict v, Instant now) {
        if (ecosystem != null && v.coordinate().ecosystem() != ecosystem) {
            return false;
        }
        if (name != null && !glob(name, v.coordinate().name())) {
            return false;
        }
        if (olderThan != null || newerThan != null) {
            Instant seen = v.firstSeen();
            if (seen == null) {
                return false;
            }
            if (olderThan != null && seen.isAfter(now.minus(olderThan))) {
                return false;
            }
            if (newerThan != null && !seen.isAfter(now.minus(newerThan))) {
                return false;
            }
        }
        if (rule != null && !hasRule(v)) {
            return false;
        }
        return true;
    }

    /** Whether the decided verdict matches (state and reason code). */
    public boolean matchesDecision(Verdict decided) {
        if (states != null && !states.contains(decided.state())) {
            return false;
        }
        if (reason != null && decided.reasons().stream().noneMatch(r -> r.code().equals(reason))) {
            return false;
        }
        return true;
    }

    private boolean hasRule(Verdict v) {
        for (Reason r : v.analysisReasons()) {
            if (r.code().equals(rule)) {
                return true;
            }
        }
        for (FileAnalysis f : v.files()) {
            for (Reason r : f.reasons()) {
                if (r.code().equals(rule)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code *} matches any run of characters; everything else literally. Names are lower-case already. */
    static boolean glob(String pattern, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (pattern.indexOf('*') < 0) {
            return n.equals(pattern);
        }
        String[] parts = pattern.split("\\*", -1);
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == 0) {
                if (!n.startsWith(p)) {
                    return false;
                }
                at = p.length();
            } else if (i == parts.length - 1) {
                return n.length() - p.length() >= at && n.endsWith(p);
            } else {
                int found = n.indexOf(p, at);
                if (found < 0) {
                    return false;
                }
                at = found + p.length();
            }
        }
        return true;
    }

    /** The {@code --where} form of this query, for messages. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (states != null) {
            b.append("state=").append(String.join("|", states.stream().sorted().map(VerdictState::id).toList()));
        }
        append(b, "ecosystem", ecosystem == null ? null : ecosystem.id());
        append(b, "reason", reason);
        append(b, "rule", rule);
        append(b, "name", name);
        append(b, "olderThan", olderThan == null ? null : olderThan.toString());
        append(b, "newerThan", newerThan == null ? null : newerThan.toString());
        return b.length() == 0 ? "every version" : b.toString();
    }

    private static void append(StringBuilder b, String k, String v) {
        if (v != null) {
            b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v);
        }
    }
}
