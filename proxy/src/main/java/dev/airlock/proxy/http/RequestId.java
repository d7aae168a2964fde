package dev.airlock.proxy.http;

import java.security.SecureRandom;
import java.util.HexFormat;
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
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestId() {
    }

    /** The incoming id when it is sane, else a new one. */
    public static String from(String incoming) {
        if (incoming != null && SANE.matcher(incoming.trim()).matches()) {
            return incoming.trim();
        }
        return generate();
    }

    /** 16 random bytes in hex: unique enough to find one line in a year of logs. */
    static String generate() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
