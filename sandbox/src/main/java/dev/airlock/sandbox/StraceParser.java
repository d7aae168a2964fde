package dev.airlock.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code strace -f -tt -s 4096 -e trace=file,process,network,uname} output. Joins
 * {@code <unfinished ...>} / {@code resumed>} pairs per pid, follows each process's working directory
 * (chdir, inherited on clone/fork) to make relative paths absolute, and counts every line it cannot read.
 */
final class StraceParser {
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern PREFIX = Pattern.compile("^(\\d+)\\s+\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?\\s+(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\)\\s+=\\s+(-?\\d+|\\?|0x[0-9a-f]+)(?:<.*>)?(?:\\s+(E[A-Z0-9]+)\\b.*|\\s+\\(.*\\)|\\s+<.*>)?$");
    private static final Pattern NOISE = Pattern.compile("^(\\+\\+\\+ .* \\+\\+\\+|--- .* ---)$");
    private static final Pattern PORT = Pattern.compile("sin6?_port=htons\\((\\d+)\\)");
    private static final Pattern V4 = Pattern.compile("sin_addr=inet_addr\\(\"([0-9.]+)\"\\)");
    private static final Pattern V6 = Pattern.compile("inet_pton\\(AF_INET6, \"([0-9a-fA-F:.]+)\"");
    /** With -y, a descriptor argument is printed as {@code 3</the/path>}. */
    private static final Pattern FD_PATH = Pattern.compile("^-?\\d+<(/.*)>$");
    private static final String UNFINISHED = " <unfinished ...>";
    private static final Set<String> SENDS = Set.of("sendto", "sendmsg", "sendmmsg");
    private static final Set<String> FORKS = Set.of("clone", "clone3", "fork", "vfork");
    /** Calls traced for completeness whose arguments say nothing the report needs. */
    private static final Set<String> IGNORED = Set.of("stat", "lstat", "newfstatat", "fstatat64", "statx", "access",
            "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd", "statfs", "fstatfs", "uname", "socket",
            "bind", "listen", "accept", "accept4", "getsockname", "getpeername", "setsockopt", "getsockopt",
            "recvfrom", "recvmsg", "recvmmsg", "socketpair", "shutdown", "exit", "exit_group", "wait4", "waitid",
            "kill", "tgkill", "tkill", "chown", "fchownat", "lchown", "utimensat", "utime", "utimes", "futimesat",
            "getxattr", "lgetxattr", "setxattr", "lsetxattr", "listxattr", "llistxattr", "removexattr",
            "lremovexattr", "inotify_add_watch", "fanotify_mark", "mknod", "mknodat", "mount", "umount2", "chroot",
            "pivot_root", "swapon", "swapoff", "quotactl", "acct", "name_to_handle_at", "execveat_fail",
            "arch_prctl", "fchdir", "pidfd_open", "pidfd_send_signal", "rt_sigqueueinfo", "getrandom");

    private final Map<Integer, String> pending = new HashMap<>();
    private final Map<Integer, String> cwd = new HashMap<>();
    private final String initialCwd;

    StraceParser(String initialCwd) {
        this.initialCwd = initialCwd;
    }

    TraceEvents parse(BufferedReader reader, long maxLines) throws IOException {
        TraceEvents events = new TraceEvents();
        String line;
        while ((line = reader.readLine()) != null) {
            events.lines++;
            if (events.lines > maxLines) {
                // Past the cap, lines are counted as unread rather than parsed: the report says so.
                events.unparsed++;
                continue;
            }
            if (!parseLine(line, events)) {
                events.unparsed++;
            }
        }
        events.unparsed += pending.size();
        return events;
    }

    private boolean parseLine(String line, TraceEvents events) {
        Matcher prefix = PREFIX.matcher(line);
        if (!prefix.matches()) {
            return false;
        }
        int pid = Integer.parseInt(prefix.group(1));
        String rest = prefix.group(2);
        if (NOISE.matcher(rest).matches()) {
            return true;
        }
        Matcher resumed = RESUMED.matcher(rest);
        if (resumed.matches()) {
            String start = pending.remove(pid);
            if (start == null) {
                return false;
            }
            rest = start + resumed.group(2);
        } else if (rest.endsWith(UNFINISHED)) {
            pending.put(pid, rest.substring(0, rest.length() - UNFINISHED.length()));
            return true;
        }
        Matcher call = CALL.matcher(rest);
        if (!call.matches()) {
            return false;
        }
        String name = call.group(1);
        List<String> args = splitArguments(call.group(2));
        String ret = call.group(3);
        String error = ret.startsWith("-") ? (call.group(4) == null ? "E?" : call.group(4)) : null;
        return interpret(pid, name, args, ret, error, rest, events);
    }

    private boolean interpret(int pid, String name, List<String> args, String ret, String error, String raw,
                              TraceEvents events) {
        switch (name) {
            case "open":
                return open(pid, arg(args, 0), arg(args, 1), error, events);
            case "openat":
                return open(pid, atPath(pid, args, 0, 1), arg(args, 2), error, events);
            case "openat2":
                return open(pid, atPath(pid, args, 0, 1), arg(args, 2), error, events);
            case "creat":
            case "truncate":
            case "mkdir":
            case "chmod":
                return file(pid, null, arg(args, 0), false, true, false, error, events);
            case "mkdirat":
            case "fchmodat":
                return file(pid, arg(args, 0), arg(args, 1), false, true, false, error, events);
            case "unlink":
            case "rmdir":
                return file(pid, null, arg(args, 0), false, false, true, error, events);
            case "unlinkat":
                return file(pid, arg(args, 0), arg(args, 1), false, false, true, error, events);
            case "rename":
            case "link":
                return file(pid, null, arg(args, 0), false, false, name.equals("rename"), error, events)
                        & file(pid, null, arg(args, 1), false, true, false, error, events);
            case "renameat":
            case "renameat2":
            case "linkat":
                return file(pid, arg(args, 0), arg(args, 1), false, false, !name.equals("linkat"), error, events)
                        & file(pid, arg(args, 2), arg(args, 3), false, true, false, error, events);
            case "symlink":
                return file(pid, null, arg(args, 1), false, true, false, error, events);
            case "symlinkat":
                return file(pid, arg(args, 1), arg(args, 2), false, true, false, error, events);
            case "chdir":
                if (error == null) {
                    String target = unquote(arg(args, 0));
                    if (target == null) {
                        return false;
                    }
                    cwd.put(pid, resolve(pid, target));
                }
                return true;
            case "execve":
                return exec(arg(args, 1), error, events);
            case "execveat":
                return exec(arg(args, 2), error, events);
            case "connect":
                return connect(arg(args, 1), error, events);
            default:
                if (FORKS.contains(name)) {
                    if (error == null && DIGITS.matcher(ret).matches()) {
                        cwd.put(Integer.parseInt(ret), cwd.getOrDefault(pid, initialCwd));
                    }
                    return true;
                }
                if (SENDS.contains(name)) {
                    events.sends.add(raw);
                    return true;
                }
                // Everything else the trace set includes is read and deliberately not reported.
                return true;
        }
    }

    private boolean open(int pid, String path, String flags, String error, TraceEvents events) {
        String p = path == null ? null : unquote(path);
        if (p == null || flags == null) {
            return false;
        }
        boolean write = flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT")
                || flags.contains("O_TRUNC") || flags.contains("O_APPEND");
        boolean read = !flags.contains("O_WRONLY");
        events.files.add(new TraceEvents.FileOp(resolve(pid, p), read, write, false, error));
        return true;
    }

    /** openat-style: the path is relative to a directory fd; only AT_FDCWD is resolvable without -y. */
    private String atPath(int pid, List<String> args, int dirIndex, int pathIndex) {
        String path = arg(args, pathIndex);
        String dir = arg(args, dirIndex);
        if (path == null || dir == null) {
            return null;
        }
        String p = unquote(path);
        if (p == null) {
            return null;
        }
        return quote(relativeTo(dir, p));
    }

    private boolean file(int pid, String dir, String path, boolean read, boolean write, boolean delete, String error,
                         TraceEvents events) {
        String p = path == null ? null : unquote(path);
        if (p == null) {
            return false;
        }
        if (dir != null) {
            p = relativeTo(dir, p);
        }
        events.files.add(new TraceEvents.FileOp(resolve(pid, p), read, write, delete, error));
        return true;
    }

    private boolean exec(String argvText, String error, TraceEvents events) {
        if (argvText == null) {
            return false;
        }
        if (error != null) {
            return true;
        }
        String inner = argvText.trim();
        if (!inner.startsWith("[") || !inner.endsWith("]")) {
            return false;
        }
        List<String> argv = new ArrayList<>();
        for (String element : splitArguments(inner.substring(1, inner.length() - 1))) {
            String value = unquote(element);
            argv.add(value == null ? element : value);
        }
        events.execs.add(new TraceEvents.Exec(argv));
        return true;
    }

    private boolean connect(String address, String error, TraceEvents events) {
        if (address == null) {
            return false;
        }
        if (!address.contains("AF_INET")) {
            // Unix sockets (nscd, syslog) and netlink are local plumbing, not network attempts.
            return true;
        }
        Matcher port = PORT.matcher(address);
        Matcher v4 = V4.matcher(address);
        Matcher v6 = V6.matcher(address);
        String ip = v4.find() ? v4.group(1) : v6.find() ? v6.group(1) : null;
        if (ip == null || !port.find()) {
            return false;
        }
        events.connects.add(new TraceEvents.Connect(ip, Integer.parseInt(port.group(1)), error));
        return true;
    }

    /** A path given relative to a directory descriptor: absolute when -y printed where the fd points. */
    private static String relativeTo(String dir, String path) {
        if (path.startsWith("/") || dir.equals("AT_FDCWD") || dir.startsWith("AT_FDCWD<")) {
            return path;
        }
        Matcher m = FD_PATH.matcher(dir);
        if (m.matches()) {
            String base = unescapeFdPath(m.group(1));
            return path.isEmpty() ? base : base + "/" + path;
        }
        return "<fd " + dir + ">/" + path;
    }

    private static String unescapeFdPath(String s) {
        return s.contains("\\") ? unquote("\"" + s + "\"") : s;
    }

    private String resolve(int pid, String path) {
        String base = cwd.getOrDefault(pid, initialCwd);
        String joined = path.startsWith("/") || path.startsWith("<fd ") ? path : base + "/" + path;
        return PathNormalizer.lexical(joined);
    }

    private static String arg(List<String> args, int index) {
        return index < args.size() ? args.get(index) : null;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Decodes a strace C-style string literal; null when the argument is not one. A trailing "..." marks truncation. */
    static String unquote(String arg) {
        String s = arg.trim();
        if (s.endsWith("...")) {
            s = s.substring(0, s.length() - 3);
        }
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            return null;
        }
        StringBuilder out = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                flush(bytes, out);
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n': flush(bytes, out); out.append('\n'); break;
                case 't': flush(bytes, out); out.append('\t'); break;
                case 'r': flush(bytes, out); out.append('\r'); break;
                case 'v': flush(bytes, out); out.append('\u000b'); break;
                case 'f': flush(bytes, out); out.append('\f'); break;
                case 'x':
                    bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                    break;
                default:
                    if (n >= '0' && n <= '7') {
                        int end = i;
                        while (end < i + 3 && end < s.length() - 1 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        bytes.write(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        flush(bytes, out);
                        out.append(n);
                    }
            }
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void flush(java.io.ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() > 0) {
            out.append(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
            bytes.reset();
        }
    }

    /** Splits top-level comma-separated arguments, respecting quotes and brackets. */
    static List<String> splitArguments(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            switch (c) {
                case '"': quoted = true; break;
                case '[': case '{': case '(': depth++; break;
                case ']': case '}': case ')': depth--; break;
                case ',':
                    if (depth == 0) {
                        out.add(text.substring(start, i).trim());
                        start = i + 1;
                    }
                    break;
                default:
                    break;
            }
        }
        if (start < text.length() || !out.isEmpty()) {
            out.add(text.substring(start).trim());
        }
        return out;
    }
}
