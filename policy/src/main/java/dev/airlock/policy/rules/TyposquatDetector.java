package dev.airlock.policy.rules;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds names that imitate a popular package: one edit away (changed, missing, extra, doubled or
 * swapped letters), the same letters with other separators, a popular name with a prefix or
 * suffix game ({@code -js}, {@code python-}), or look-alike characters ({@code 0}/{@code o},
 * {@code rn}/{@code m}). Names on the popular list are established and never flagged; only the
 * most popular part of the list is imitated, since look-alikes of obscure names are mostly
 * unrelated packages. Called on the metadata path: answers are cached per name and candidate
 * look-ups go through a deletion index instead of a scan.
 */
public final class TyposquatDetector {
    /** How many of the most popular names count as worth imitating. */
    public static final int TARGETS = 3000;
    /** Shorter names collide with too many honest ones at edit distance 1. */
    private static final int MIN_EDIT_LENGTH = 5;
    private static final List<String> PREFIXES = List.of("python-", "python3-", "py-", "py", "node-", "js-", "the-", "real-",
            "official-");
    private static final List<String> SUFFIXES = List.of("-js", ".js", "js", "-node", "-python", "-py", "-py3", "py",
            "-lib", "-official", "-dev", "2", "3");

    private final Map<Ecosystem, Index> indexes;
    private final int maxDistance;
    private final Cache<PackageId, Optional<Match>> cache = Caffeine.newBuilder().maximumSize(100_000).build();

    private TyposquatDetector(Map<Ecosystem, Index> indexes, int maxDistance) {
        this.indexes = indexes;
        this.maxDistance = maxDistance;
    }

    /** Loads the shipped lists ({@code popular-npm.txt}, {@code popular-pypi.txt}). */
    public static TyposquatDetector bundled(int maxDistance) {
        Map<Ecosystem, List<String>> lists = new EnumMap<>(Ecosystem.class);
        for (Ecosystem e : Ecosystem.values()) {
            lists.put(e, load("popular-" + e.id() + ".txt"));
        }
        return of(lists, maxDistance);
    }

    /** @param popular per ecosystem, normalised names, most popular first */
    public static TyposquatDetector of(Map<Ecosystem, List<String>> popular, int maxDistance) {
        Map<Ecosystem, Index> idx = new EnumMap<>(Ecosystem.class);
        for (Map.Entry<Ecosystem, List<String>> e : popular.entrySet()) {
            idx.put(e.getKey(), new Index(e.getValue()));
        }
        return new TyposquatDetector(idx, Math.max(1, maxDistance));
    }

    private static List<String> load(String resource) {
        List<String> names = new ArrayList<>();
        try (InputStream in = TyposquatDetector.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " (run scripts/build-popular-names.py)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                line = line.trim();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    public int establishedCount(Ecosystem e) {
        Index i = indexes.get(e);
        return i == null ? 0 : i.established.size();
    }

    /** The popular package this name imitates, if any. */
    public Optional<Match> check(PackageId id) {
        return cache.get(id, this::compute);
    }

    private Optional<Match> compute(PackageId id) {
        Index idx = indexes.get(id.ecosystem());
        String n = id.name();
        if (idx == null || idx.established.contains(n)) {
            return Optional.empty();
        }
        List<Match> found = new ArrayList<>();
        String sk = skeleton(n);
        String target = n.length() >= MIN_EDIT_LENGTH - 1 ? idx.bySkeleton.get(sk) : null;
        if (target != null) {
            found.add(new Match(target, stripSeparators(n).equals(stripSeparators(target))
                    ? "same letters, other separators" : "look-alike characters", idx.rank(target)));
        }
        for (String p : PREFIXES) {
            if (n.startsWith(p) && n.length() > p.length() + 2) {
                affix(idx, n.substring(p.length()), "prefix '" + p + "'", found);
            }
        }
        for (String s : SUFFIXES) {
            if (n.endsWith(s) && n.length() > s.length() + 2) {
                affix(idx, n.substring(0, n.length() - s.length()), "suffix '" + s + "'", found);
            }
        }
        if (n.length() >= MIN_EDIT_LENGTH - 1) {
            edits(idx, n, found);
        }
        return found.stream().min(java.util.Comparator.comparingInt(Match::rank));
    }

    private static void affix(Index idx, String rest, String how, List<Match> found) {
        String t = idx.targets.contains(rest) ? rest : idx.bySkeleton.get(skeleton(rest));
        if (t != null) {
            found.add(new Match(t, how + " added", idx.rank(t)));
        }
    }

    private void edits(Index idx, String n, List<Match> found) {
        Set<String> candidates = new HashSet<>();
        if (maxDistance == 1) {
            addAll(candidates, idx.deletions.get(n));
            for (int i = 0; i < n.length(); i++) {
                String d = n.substring(0, i) + n.substring(i + 1);
                addAll(candidates, idx.deletions.get(d));
                if (idx.targets.contains(d)) {
                    candidates.add(d);
                }
            }
        } else {
            for (String t : idx.targets) {
                if (t.length() >= MIN_EDIT_LENGTH && Math.abs(t.length() - n.length()) <= maxDistance) {
                    candidates.add(t);
                }
            }
        }
        for (String t : candidates) {
            if (t.length() < MIN_EDIT_LENGTH || t.equals(n)) {
                continue;
            }
            // "parse" next to "parse5": dropping a version digit from a name is how projects are renamed, not imitated.
            if (t.startsWith(n) && t.substring(n.length()).chars().allMatch(Character::isDigit)) {
                continue;
            }
            int d = osaDistance(n, t, maxDistance);
            if (d <= maxDistance) {
                found.add(new Match(t, describeEdit(n, t, d), idx.rank(t)));
            }
        }
    }

    private static void addAll(Set<String> into, List<String> from) {
        if (from != null) {
            into.addAll(from);
        }
    }

    static String describeEdit(String n, String t, int d) {
        if (d > 1) {
            return d + " letters changed";
        }
        if (n.length() == t.length()) {
            for (int i = 0; i + 1 < n.length(); i++) {
                if (n.charAt(i) != t.charAt(i)) {
                    return n.charAt(i) == t.charAt(i + 1) && n.charAt(i + 1) == t.charAt(i) ? "swapped letters"
                            : "one letter changed";
                }
            }
            return "one letter changed";
        }
        if (n.length() == t.length() + 1) {
            for (int i = 0; i < n.length(); i++) {
                if (i == t.length() || n.charAt(i) != t.charAt(i)) {
                    return i > 0 && n.charAt(i) == n.charAt(i - 1) ? "doubled letter" : "extra letter";
                }
            }
        }
        return "missing letter";
    }

    /** Optimal string alignment distance (adjacent swaps cost 1), giving up past {@code max}. */
    static int osaDistance(String a, String b, int max) {
        int n = a.length();
        int m = b.length();
        if (Math.abs(n - m) > max) {
            return max + 1;
        }
        int[] prev2 = new int[m + 1];
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, prev2[j - 2] + 1);
                }
                cur[j] = v;
                rowMin = Math.min(rowMin, v);
            }
            if (rowMin > max) {
                return max + 1;
            }
            int[] t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }
        return prev[m];
    }

    static String stripSeparators(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c != '-' && c != '_' && c != '.') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Separators dropped and look-alike characters folded to one representative. */
    static String skeleton(String s) {
        String t = stripSeparators(s).replace("rn", "m").replace("vv", "w");
        StringBuilder b = new StringBuilder(t.length());
        for (char c : t.toCharArray()) {
            b.append(switch (c) {
                case '0' -> 'o';
                case '1', 'i', '!' -> 'l';
                case '5' -> 's';
                case '3' -> 'e';
                default -> c;
            });
        }
        return b.toString();
    }

    /**
     * @param imitated the popular package's name
     * @param how      what differs, e.g. {@code swapped letters}
     * @param rank     the imitated package's popularity rank (0 = most popular)
     */
    public record Match(String imitated, String how, int rank) {
    }

    private static final class Index {
        final Set<String> established;
        final Set<String> targets;
        final Map<String, Integer> ranks = new HashMap<>();
        final Map<String, String> bySkeleton = new HashMap<>();
        final Map<String, List<String>> deletions = new HashMap<>();

        Index(List<String> popular) {
            this.established = Set.copyOf(popular);
            List<String> t = popular.subList(0, Math.min(TARGETS, popular.size()));
            this.targets = Set.copyOf(t);
            for (int i = 0; i < t.size(); i++) {
                String name = t.get(i);
                ranks.putIfAbsent(name, i);
                bySkeleton.putIfAbsent(skeleton(name), name);
                if (name.length() >= MIN_EDIT_LENGTH) {
                    for (int k = 0; k < name.length(); k++) {
                        deletions.computeIfAbsent(name.substring(0, k) + name.substring(k + 1), x -> new ArrayList<>(2))
                                .add(name);
                    }
                }
            }
        }

        int rank(String name) {
            return ranks.getOrDefault(name, Integer.MAX_VALUE);
        }
    }
}
