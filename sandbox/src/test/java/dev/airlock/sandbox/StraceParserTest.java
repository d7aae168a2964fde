package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class StraceParserTest {
    private static TraceEvents parse(String... lines) throws Exception {
        return new StraceParser("/").parse(new BufferedReader(new StringReader(String.join("\n", lines))), 1000);
    }

    @Test
    void readsFileAccessesCommandsAndConnects() throws Exception {
        TraceEvents events = parse(
                "65    17:44:28.850759 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 17</etc/passwd>",
                "65    17:44:28.850800 openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 18</tmp/x>",
                "73    17:44:28.857434 execve(\"/usr/bin/whoami\", [\"whoami\", \"-x\\\"y\"], 0x557008534868 /* 20 vars */) = 0",
                "65    17:44:28.877655 connect(18<socket:[1]>, {sa_family=AF_INET, sin_port=htons(8080), "
                        + "sin_addr=inet_addr(\"198.51.100.7\")}, 16) = -1 EINPROGRESS (Operation now in progress)",
                "65    17:44:28.877700 connect(19, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT (No such file)",
                "65    17:44:28.877800 unlinkat(5</home/sandbox/.ssh>, \"id_rsa\", 0) = 0");
        assertEquals(0, events.unparsed);
        assertEquals(new TraceEvents.FileOp("/etc/passwd", true, false, false, null), events.files.get(0));
        assertEquals(new TraceEvents.FileOp("/tmp/x", false, true, false, null), events.files.get(1));
        assertEquals(new TraceEvents.FileOp("/home/sandbox/.ssh/id_rsa", false, false, true, null), events.files.get(2));
        assertEquals(List.of("whoami", "-x\"y"), events.execs.get(0).argv());
        assertEquals(List.of(new TraceEvents.Connect("198.51.100.7", 8080, "EINPROGRESS")), events.connects);
    }

    @Test
    void joinsUnfinishedCallsWithTheirResumption() throws Exception {
        TraceEvents events = parse(
                "10 12:00:00.000001 execve(\"/usr/bin/node\", [\"node\", \"a.js\"], 0x1 /* 2 vars */ <unfinished ...>",
                "11 12:00:00.000002 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3",
                "10 12:00:00.000003 <... execve resumed>) = 0");
        assertEquals(List.of("node", "a.js"), events.execs.get(0).argv());
        assertEquals("/etc/hosts", events.files.get(0).path());
        assertEquals(0, events.unparsed);
    }

    @Test
    void resolvesRelativePathsAgainstTheWorkingDirectoryAProcessInherited() throws Exception {
        TraceEvents events = parse(
                "10 12:00:00.000001 chdir(\"/srv/pkg\") = 0",
                "10 12:00:00.000002 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 11",
                "11 12:00:00.000003 openat(AT_FDCWD, \"../secret\", O_RDONLY) = 3");
        assertEquals("/srv/secret", events.files.get(0).path());
    }

    @Test
    void countsLinesItCannotReadInsteadOfDroppingThem() throws Exception {
        TraceEvents events = parse(
                "garbage",
                "10 12:00:00.000001 openat(AT_FDCWD, \"/etc/hosts\"",
                "10 12:00:00.000002 +++ exited with 0 +++",
                "11 12:00:00.000003 <... openat resumed>) = 3",
                "12 12:00:00.000004 execve(\"/bin/x\", [\"x\"], 0x1 /* 1 var */ <unfinished ...>");
        // garbage, the truncated call, the orphan resumption and the never-resumed execve
        assertEquals(4, events.unparsed);
        assertEquals(5, events.lines);
    }

    @Test
    void decodesEscapedBytesInStrings() {
        assertEquals("a\nb\u00e9", StraceParser.unquote("\"a\\nb\\303\\251\""));
        assertEquals("caf\u00e9", StraceParser.unquote("\"caf\\xc3\\xa9\"..."));
        assertTrue(StraceParser.unquote("AT_FDCWD") == null);
    }

    @Test
    void normalisesRandomPartsSoRunsCompare() {
        assertEquals("/tmp/pip-req-build-*/setup.py", PathNormalizer.normalize("/tmp/pip-req-build-gclxitdu/setup.py"));
        assertEquals("/proc/<pid>/status", PathNormalizer.normalize("/proc/1234/status"));
        assertEquals("/etc/passwd", PathNormalizer.normalize("/usr/../etc/./passwd"));
        assertEquals("/tmp/*", PathNormalizer.normalize("/tmp/luo63sud"));
    }
}
