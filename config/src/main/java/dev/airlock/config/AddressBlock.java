package dev.airlock.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IP address or a CIDR block, IPv4 or IPv6, e.g. {@code 10.0.0.0/8}, {@code 192.0.2.7},
 * {@code fd00::/8}. Only literals are accepted, so parsing never asks DNS (it runs on the
 * serving path, for every {@code X-Forwarded-For} entry).
 *
 * @param network the first address of the block (host bits cleared)
 * @param prefix  how many leading bits an address must share with {@code network}
 */
public record AddressBlock(InetAddress network, int prefix) {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    public AddressBlock {
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range for " + network.getHostAddress());
        }
        network = masked(network, prefix);
    }

    /** Parses {@code address} or {@code address/prefix}; refuses host names and malformed text. */
    public static AddressBlock parse(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = literal(addr).orElseThrow(() ->
                new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block (like 10.0.0.0/8 or fd00::/8)"));
        int bits = a.getAddress().length * 8;
        if (slash < 0) {
            return new AddressBlock(a, bits);
        }
        try {
            return new AddressBlock(a, Integer.parseInt(t.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length after the /");
        }
    }

    /**
     * An IP literal as an address, IPv4-mapped IPv6 addresses folded to IPv4 (a dual-stack socket
     * reports IPv4 peers that way); empty for anything else, and never a DNS lookup.
     */
    public static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        if (!IPV4.matcher(t).matches() && !IPV6.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            // Only digits, dots and colons reach here, which getByName parses without asking DNS.
            return Optional.of(normalised(InetAddress.getByName(t)));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Folds an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) to the IPv4 address it carries. */
    public static InetAddress normalised(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return a;
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    public boolean contains(InetAddress address) {
        InetAddress a = normalised(address);
        if (a.getAddress().length != network.getAddress().length) {
            return false;
        }
        return masked(a, prefix).equals(network);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }
}
