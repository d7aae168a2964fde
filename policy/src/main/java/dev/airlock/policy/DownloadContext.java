package dev.airlock.policy;

/**
 * Who asked for an artifact: kept for the blast-radius view when a version turns out bad.
 *
 * @param client the identity a client token named ({@code clients.tokens}), or null when anonymous
 */
public record DownloadContext(String clientAddress, String userAgent, String file, String client) {
    /** An anonymous download. */
    public DownloadContext(String clientAddress, String userAgent, String file) {
        this(clientAddress, userAgent, file, null);
    }
}
