package dev.airlock.proxy.upstream;

/** An upstream document Airlock cannot read: never cached, answered 502 unless a good copy exists. */
public final class MalformedMetadataException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedMetadataException(String message) {
        super(message);
    }

    public MalformedMetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
