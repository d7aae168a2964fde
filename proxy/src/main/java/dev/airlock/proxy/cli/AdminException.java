package dev.airlock.proxy.cli;

/**
 * A failed command: the message for the person, the documented exit code, and whether the
 * command's usage helps (it does after a wrong argument, not after a refused token).
 */
final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;
    static final int OTHER = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int UNAUTHORIZED = 4;
    static final int NOT_FOUND = 5;

    private final int exitCode;
    private final boolean showUsage;

    AdminException(int exitCode, String message) {
        this(exitCode, message, false);
    }

    private AdminException(int exitCode, String message, boolean showUsage) {
        super(message);
        this.exitCode = exitCode;
        this.showUsage = showUsage;
    }

    /** A wrong argument, caught before anything was sent: exit 2, followed by the usage. */
    static AdminException usage(String message) {
        return new AdminException(USAGE, "usage: " + message, true);
    }

    int exitCode() {
        return exitCode;
    }

    boolean showUsage() {
        return showUsage;
    }
}
