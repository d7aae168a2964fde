package dev.airlock.sandbox;

import java.util.ArrayList;
import java.util.List;

/** What one strace log says happened, before noise is removed. */
final class TraceEvents {
    /** One file operation; {@code error} is the errno name when the call failed, null when it succeeded. */
    record FileOp(String path, boolean read, boolean write, boolean delete, String error) {
    }

    /** A successful execve. */
    record Exec(List<String> argv) {
    }

    /** A connect() to an IP address; {@code error} as for files. */
    record Connect(String address, int port, String error) {
    }

    final List<FileOp> files = new ArrayList<>();
    final List<Exec> execs = new ArrayList<>();
    final List<Connect> connects = new ArrayList<>();
    /** Lines whose syscall sent data (sendto, sendmsg, write to a socket is not traced): checked for bait markers. */
    final List<String> sends = new ArrayList<>();
    long lines;
    long unparsed;
}
