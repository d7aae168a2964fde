package dev.airlock.proxy.http;

import dev.airlock.config.AddressBlock;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who the client is when reverse proxies stand in front ({@code server.trustedProxies}).
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto} are anyone's to write, so they are read
 * only from a trusted socket peer; the client is then the right-most {@code X-Forwarded-For}
 * address that is not itself a trusted proxy: each trusted hop appends the peer it saw, and
 * anything left of the first untrusted hop was written by the client and may be forged.
 */
public final class TrustedProxies {
    public static final String FORWARDED_FOR = "X-Forwarded-For";
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final TrustedProxies NOBODY = new TrustedProxies(List.of());

    private final List<AddressBlock> blocks;

    private TrustedProxies(List<AddressBlock> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static TrustedProxies of(List<AddressBlock> blocks) {
        return blocks.isEmpty() ? NOBODY : new TrustedProxies(blocks);
    }

    /** The default: forwarded headers are ignored from everyone. */
    public static TrustedProxies nobody() {
        return NOBODY;
    }

    public boolean trusts(InetAddress a) {
        for (AddressBlock b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address: the socket peer, or when the peer is trusted the right-most
     * forwarded address that is not trusted. An entry that is not an IP literal ends the walk
     * at the last trusted hop, since nothing further left can be believed.
     */
    public InetAddress client(InetAddress peer, HttpHeaders headers) {
        if (!trusts(peer)) {
            return peer;
        }
        List<String> chain = forwardedFor(headers);
        InetAddress client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = address(chain.get(i));
            if (hop.isEmpty()) {
                return client;
            }
            client = hop.get();
            if (!trusts(client)) {
                return client;
            }
        }
        return client;
    }

    /**
     * True when a trusted peer says the client reached it over https. The right-most value
     * counts: it was set by the trusted peer itself.
     */
    public boolean forwardedHttps(InetAddress peer, HttpHeaders headers) {
        if (!trusts(peer)) {
            return false;
        }
        List<String> protos = commaList(headers.getAll(FORWARDED_PROTO));
        return !protos.isEmpty() && protos.get(protos.size() - 1).equalsIgnoreCase("https");
    }

    private static List<String> forwardedFor(HttpHeaders headers) {
        return commaList(headers.getAll(FORWARDED_FOR));
    }

    /** Several header lines are one list, in order (RFC 9110, 5.3). */
    private static List<String> commaList(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            for (String part : line.split(",", -1)) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /** An entry as proxies write it: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1} or {@code [2001:db8::1]:4711}. */
    private static Optional<InetAddress> address(String entry) {
        String e = entry;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            e = close < 0 ? "" : e.substring(1, close);
        } else if (e.indexOf(':') > 0 && e.indexOf(':') == e.lastIndexOf(':')) {
            e = e.substring(0, e.indexOf(':'));
        }
        return AddressBlock.literal(e);
    }
}
