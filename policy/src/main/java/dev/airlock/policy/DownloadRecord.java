package dev.airlock.policy;

import java.time.Instant;

/**
 * One time a version was served: the blast-radius record.
 *
 * @param client the identity a client token named, or null (anonymous, or recorded before identities existed)
 */
public record DownloadRecord(Instant at, String clientAddress, String userAgent, String file, String client) {
    /** An anonymous download. */
    public DownloadRecord(Instant at, String clientAddress, String userAgent, String file) {
        this(at, clientAddress, userAgent, file, null);
    }

    /** The record of one download that {@code who} made at {@code at}. */
    public static DownloadRecord of(Instant at, DownloadContext who) {
        return who == null ? new DownloadRecord(at, null, null, null, null)
                : new DownloadRecord(at, who.clientAddress(), who.userAgent(), who.file(), who.client());
    }
}
