package dev.airlock.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Debian mirror this host's apt already uses (so the image builds wherever the host can install
 * packages, e.g. behind a local mirror), read from {@code sources.list} and deb822 {@code .sources} files.
 */
final class DebianMirror {
    static final String FALLBACK = "http://deb.debian.org/debian";
    private static final Pattern ONE_LINE = Pattern.compile("^\\s*deb\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s+(\\S+)\\s+.*\\bmain\\b.*$");
    private static final Pattern URIS = Pattern.compile("^URIs:\\s*(\\S+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SUITES = Pattern.compile("^Suites:\\s*(.+)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern TYPES = Pattern.compile("^Types:\\s*(.+)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTTP = Pattern.compile("^https?://\\S+$");

    private DebianMirror() {
    }

    /** The first mirror that serves the given suite itself (not its -security or -updates pockets). */
    static Optional<String> find(Path aptDir, String suite) {
        List<Path> files = new ArrayList<>();
        Path list = aptDir.resolve("sources.list");
        if (Files.isRegularFile(list)) {
            files.add(list);
        }
        Path dir = aptDir.resolve("sources.list.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        for (Path file : files) {
            try {
                Optional<String> found = file.toString().endsWith(".sources")
                        ? fromDeb822(Files.readAllLines(file), suite) : fromOneLine(Files.readAllLines(file), suite);
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                // An unreadable source file is skipped; another may name the mirror.
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromOneLine(List<String> lines, String suite) {
        for (String line : lines) {
            Matcher m = ONE_LINE.matcher(line);
            if (m.matches() && m.group(2).equals(suite) && HTTP.matcher(m.group(1)).matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromDeb822(List<String> lines, String suite) {
        String uri = null;
        List<String> suites = List.of();
        boolean deb = true;
        List<String> stanza = new ArrayList<>(lines);
        stanza.add("");
        for (String line : stanza) {
            if (line.isBlank()) {
                if (deb && uri != null && suites.contains(suite) && HTTP.matcher(uri).matches()) {
                    return Optional.of(uri);
                }
                uri = null;
                suites = List.of();
                deb = true;
                continue;
            }
            Matcher m;
            if ((m = URIS.matcher(line)).find()) {
                uri = m.group(1);
            } else if ((m = SUITES.matcher(line)).find()) {
                suites = List.of(m.group(1).trim().split("\\s+"));
            } else if ((m = TYPES.matcher(line)).find()) {
                deb = List.of(m.group(1).trim().split("\\s+")).contains("deb");
            }
        }
        return Optional.empty();
    }
}
