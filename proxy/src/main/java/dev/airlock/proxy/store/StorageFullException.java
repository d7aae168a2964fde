package dev.airlock.proxy.store;

import java.io.IOException;
import java.util.Locale;

/**
 * Airlock's own data disk is full (or over quota): the artifact could not be stored. The request
 * deserves a 503 that says so, not a 502 blaming the upstream; once space returns, the next
 * request fetches again, because nothing half-written was kept.
 */
public final class StorageFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String message, IOException cause) {
        super(message, cause);
    }

    /** True for the JDK's messages for ENOSPC and EDQUOT (Linux, macOS) and ERROR_DISK_FULL (Windows). */
    static boolean isDiskFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof IOException && m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")
                        || lower.contains("not enough space on the disk")) {
                    return true;
                }
            }
        }
        return false;
    }
}
