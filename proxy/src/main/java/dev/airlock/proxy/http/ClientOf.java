package dev.airlock.proxy.http;

import dev.airlock.config.AddressBlock;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who sent a request: the socket peer, or whom a trusted reverse proxy forwarded for, and whether
 * the client used https by that proxy's word. A connection's peer never changes, so its address
 * and text form are worked out once per connection, not once per request.
 *
 * @param address        the client's address as text
 * @param forwardedHttps true when a trusted reverse proxy says the client used https
 */
record ClientOf(String address, boolean forwardedHttps) {
    private record Peer(InetAddress address, ClientOf direct) {
    }

    private static final AttributeKey<Peer> PEER = AttributeKey.valueOf(ClientOf.class, "peer");

    static ClientOf of(Channel channel, HttpHeaders headers, TrustedProxies proxies) {
        Peer peer = channel.attr(PEER).get();
        if (peer == null) {
            peer = peer(channel.remoteAddress());
            channel.attr(PEER).set(peer);
        }
        if (peer.address() == null || !proxies.trusts(peer.address())) {
            return peer.direct();
        }
        return new ClientOf(proxies.client(peer.address(), headers).getHostAddress(),
                proxies.forwardedHttps(peer.address(), headers));
    }

    private static Peer peer(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            InetAddress normalised = AddressBlock.normalised(i.getAddress());
            return new Peer(normalised, new ClientOf(normalised.getHostAddress(), false));
        }
        return new Peer(null, new ClientOf(a instanceof InetSocketAddress i ? i.getHostString() : String.valueOf(a), false));
    }
}
