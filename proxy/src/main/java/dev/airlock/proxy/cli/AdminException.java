package dev.airlock.proxy.cli;

/** A failed admin command: the message for the person and the documented exit code. */
final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;
    static final int OTHER = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int UNAUTHORIZED = 4;
    static final int NOT_FOUND = 5;

    private final int exitCode;

    AdminException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
