package dev.airlock.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes paths comparable across runs: lexical clean-up, then random parts (temp names, pids) replaced
 * by a fixed placeholder, so the same behaviour yields the same path and baselines subtract cleanly.
 */
final class PathNormalizer {
    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("^/proc/\\d+(/|$)"), "/proc/<pid>$1"),
            new Rule(Pattern.compile("/task/\\d+(/|$)"), "/task/<tid>$1"),
            new Rule(Pattern.compile("/(pip-[a-z-]*?)-?[a-z0-9_]{8}(/|$)"), "/$1-*$2"),
            new Rule(Pattern.compile("/tmp[a-z0-9_]{8}(/|$)"), "/tmp*$1"),
            // Python's tempfile names: eight characters from [a-z0-9_] directly under /tmp.
            new Rule(Pattern.compile("^/tmp/[a-z0-9_]{8}(/|$)"), "/tmp/*$1"),
            new Rule(Pattern.compile("/npm-\\d+-[0-9a-f]+(/|$)"), "/npm-*$1"),
            new Rule(Pattern.compile("/_logs/[0-9T_:.-]+Z-debug-\\d+\\.log$"), "/_logs/*-debug.log"),
            new Rule(Pattern.compile("\\.[0-9]+\\.tmp$"), ".*.tmp"));

    private PathNormalizer() {
    }

    static String lexical(String path) {
        if (!path.startsWith("/")) {
            return path;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** The same replacements inside any text, e.g. a temp path embedded in a command's code argument. */
    static String normalizeEmbedded(String text) {
        String p = text;
        for (Rule rule : RULES) {
            if (!rule.pattern().pattern().startsWith("^")) {
                p = rule.pattern().matcher(p).replaceAll(rule.replacement());
            }
        }
        return p;
    }

    static String normalize(String path) {
        String p = lexical(path);
        for (Rule rule : RULES) {
            p = rule.pattern().matcher(p).replaceAll(rule.replacement());
        }
        return p;
    }
}
