package dev.airlock.proxy.http;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The id that ties one answer to its access-log line: a sane incoming {@code X-Request-Id} (set
 * by a load balancer or CI system upstream of Airlock) is kept so both logs agree; anything else
 * is replaced by a fresh random one, since the value is echoed into headers, JSON and logs.
 */
public final class RequestId {
    public static final String HEADER = "X-Request-Id";
    /** Token characters only, bounded: nothing that could split a header or a log line. */
    private static final Pattern SANE = Pattern.compile("^[A-Za-z0-9._:+=@/-]{1,128}$");

    private RequestId() {
    }

    /** The incoming id when it is sane, else a new one. */
    public static String from(String incoming) {
        if (incoming != null && SANE.matcher(incoming.trim()).matches()) {
            return incoming.trim();
        }
        return generate();
    }

    /**
     * 128 random bits in hex: unique enough to find one line in a year of logs. Not a secret, so
     * not from SecureRandom, whose reads of the system's entropy source block the event loop that
     * makes every id.
     */
    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(r.nextLong()) + hex.toHexDigits(r.nextLong());
    }
}
