package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.AddressBlock;
import dev.airlock.proxy.PublicBase;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The client address and scheme as the router hands them to routes, for peers trusted or not. */
class TrustedProxiesTest {
    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of(
            AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("fd00::/8")));

    /** An embedded channel whose peer is a real IP address, as a socket's would be. */
    static final class PeerChannel extends EmbeddedChannel {
        private final InetSocketAddress peer;

        PeerChannel(String peer, RequestRouter router) {
            super(false, false);
            this.peer = new InetSocketAddress(AddressBlock.literal(peer).orElseThrow(), 40_000);
            pipeline().addLast(router);
            try {
                register();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return peer;
        }
    }

    record Seen(String client, String base) {
    }

    private static Seen send(String peer, String... headers) {
        AtomicReference<Seen> seen = new AtomicReference<>();
        Route probe = new Route() {
            @Override
            public String prefix() {
                return "/";
            }

            @Override
            public void handle(HttpExchange ex) {
                seen.set(new Seen(ex.clientAddress(), PublicBase.of(ex, null)));
                ex.respondText(HttpResponseStatus.OK, "ok");
            }
        };
        PeerChannel ch = new PeerChannel(peer, new RequestRouter(List.of(probe), List.of(), PROXIES));
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/simple/");
        req.headers().set("Host", "airlock.test:8080");
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().add(headers[i], headers[i + 1]);
        }
        ch.writeInbound(req);
        FullHttpResponse r = ch.readOutbound();
        assertEquals(200, r.status().code());
        r.release();
        assertFalse(ch.finishAndReleaseAll(), "no buffer left behind");
        return seen.get();
    }

    @Test
    void anUntrustedPeersForwardedHeadersAreIgnored() {
        Seen s = send("203.0.113.5", "X-Forwarded-For", "198.51.100.1", "X-Forwarded-Proto", "https");
        assertEquals("203.0.113.5", s.client());
        assertEquals("http://airlock.test:8080/", s.base(), "an untrusted X-Forwarded-Proto must not change the scheme");
    }

    @Test
    void aTrustedProxysForwardedClientIsRecordedAndItsSchemeHonoured() {
        Seen s = send("10.1.2.3", "X-Forwarded-For", "198.51.100.7", "X-Forwarded-Proto", "https");
        assertEquals("198.51.100.7", s.client());
        assertEquals("https://airlock.test:8080/", s.base());
        assertEquals("2001:db8:0:0:0:0:0:9", send("fd00::1", "X-Forwarded-For", "[2001:db8::9]:5555").client(),
                "an IPv6 proxy forwarding a bracketed address with a port");
        assertEquals("198.51.100.8", send("::ffff:10.0.0.1", "X-Forwarded-For", "198.51.100.8:443").client(),
                "an IPv4-mapped peer is the IPv4 proxy it carries");
    }

    @Test
    void aSpoofedChainYieldsTheRightMostUntrustedAddressNotTheForgedOne() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; the edge proxy 10.0.0.2 appended the real client,
        // and the inner proxy 10.0.0.3 appended the edge proxy.
        Seen s = send("10.0.0.3", "X-Forwarded-For", "1.1.1.1, 198.51.100.9, 10.0.0.2");
        assertEquals("198.51.100.9", s.client());
        assertEquals("198.51.100.9", send("10.0.0.3", "X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "198.51.100.9").client(),
                "several header lines are one list in order");
        assertEquals("10.0.0.2", send("10.0.0.3", "X-Forwarded-For", "1.1.1.1, not-an-ip, 10.0.0.2").client(),
                "garbage stops the walk at the last trusted hop");
        assertEquals("10.0.0.3", send("10.0.0.3").client(), "a trusted peer without the header is the client itself");
        assertEquals("http://airlock.test:8080/", send("10.0.0.3", "X-Forwarded-Proto", "https, http").base(),
                "the right-most scheme is the one the trusted peer set");
    }

    @Test
    void byDefaultNobodyIsTrusted() {
        assertFalse(TrustedProxies.nobody().trusts(AddressBlock.literal("127.0.0.1").orElseThrow()));
        assertTrue(PROXIES.trusts(AddressBlock.literal("10.255.0.1").orElseThrow()));
    }
}
