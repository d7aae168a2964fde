package dev.airlock.policy;

import java.time.Instant;

/**
 * Downloads of a version by one client (address, user agent, file, identity): the blast-radius
 * record. Repeated downloads by the same client within a second are one record with a count, so a
 * build farm fetching the same tarball thousands of times a second writes one record a second,
 * not thousands (see {@link DownloadTally}).
 *
 * @param at     the first of these downloads
 * @param client the identity a client token named, or null (anonymous, or recorded before identities existed)
 * @param count  how many downloads this record stands for (at least 1; records written before counts existed read as 1)
 * @param last   the last of these downloads, or null when it is {@code at} (a single download)
 */
public record DownloadRecord(Instant at, String clientAddress, String userAgent, String file, String client,
                             int count, Instant last) {
    public DownloadRecord {
        count = Math.max(1, count);
        last = count == 1 ? null : last;
    }

    /** One download. */
    public DownloadRecord(Instant at, String clientAddress, String userAgent, String file, String client) {
        this(at, clientAddress, userAgent, file, client, 1, null);
    }

    /** One anonymous download. */
    public DownloadRecord(Instant at, String clientAddress, String userAgent, String file) {
        this(at, clientAddress, userAgent, file, null);
    }

    /** The record of one download that {@code who} made at {@code at}. */
    public static DownloadRecord of(Instant at, DownloadContext who) {
        return who == null ? new DownloadRecord(at, null, null, null, null)
                : new DownloadRecord(at, who.clientAddress(), who.userAgent(), who.file(), who.client());
    }

    /** When the last of these downloads happened. */
    public Instant lastAt() {
        return last == null ? at : last;
    }
}
