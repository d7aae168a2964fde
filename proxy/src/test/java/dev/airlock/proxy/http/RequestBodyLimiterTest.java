package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The real HTTP steps of the pipeline, fed raw bytes, with a probe route that counts what reached it. */
class RequestBodyLimiterTest {
    private static final int MAX = 64 * 1024 * 1024;

    private final List<Integer> reached = new CopyOnWriteArrayList<>();

    private EmbeddedChannel channel() {
        Route probe = new Route() {
            @Override
            public String prefix() {
                return "/";
            }

            @Override
            public void handle(HttpExchange ex) {
                reached.add(ex.body().readableBytes());
                ex.respondText(HttpResponseStatus.OK, "read " + ex.body().readableBytes());
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel();
        AirlockChannelInitializer.addHttpHandlers(ch.pipeline(), MAX, new BodyLimits(MAX));
        ch.pipeline().addLast(new RequestRouter(List.of(probe), List.of()));
        return ch;
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static void send(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** Everything written back so far, as text. */
    private static String answer(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static String chunk(int size) {
        return Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n";
    }

    @Test
    void aGetDeclaringALargeBodyIsRefusedFromItsHeadersAlone() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /npm/left-pad HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        assertTrue(a.contains("\"code\":\"body_too_large\"") && a.contains("X-Airlock-Reason: body_too_large"), a);
        assertTrue(a.contains("connection: close"), a);
        assertEquals(List.of(), reached, "no request reached the router");
        assertFalse(ch.isOpen(), "the unread body is not waited for: the connection closes");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void anUnauthenticatedAdminUploadIsRefusedBeforeItsBodyIsSent() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /api/v1/feeds/osv HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000\r\n"
                + "Expect: 100-continue\r\n\r\n");
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        assertFalse(a.contains("100 Continue"), "an oversized upload is never invited to send");
        assertTrue(a.contains("Authorization: Bearer"), a);
        assertEquals(List.of(), reached);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aChunkedBodyIsCutOffOnceItsCountPassesTheRouteLimitAndTheAggregatorReleasesItsPart() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /pypi/simple/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 20 && ch.isOpen(); i++) {
            send(ch, chunk(64 * 1024));
        }
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        assertTrue(a.contains("at most 1048576 bytes"), a);
        assertEquals(List.of(), reached, "no FullHttpRequest reached the router");
        assertFalse(ch.isOpen());
        assertFalse(ch.finishAndReleaseAll(), "the part already aggregated was released");
    }

    @Test
    void aGzippedNpmAuditBodyIsCountedDecodedSoASmallBombIsRefused() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(new byte[2 * 1024 * 1024]);
        }
        assertTrue(gz.size() < 10_000, "the compressed body is small: " + gz.size());
        EmbeddedChannel ch = channel();
        send(ch, "POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n"
                + "Content-Length: " + gz.size() + "\r\n\r\n");
        send(ch, gz.toByteArray());
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        assertTrue(a.contains("npm audit"), a);
        assertEquals(List.of(), reached);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aDenseGzipBombNeverInflatesIntoOneHugeBufferBeforeItIsCounted() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 65; i++) {
                z.write(zeros);
            }
        }
        EmbeddedChannel ch = channel();
        java.util.concurrent.atomic.AtomicInteger largest = new java.util.concurrent.atomic.AtomicInteger();
        ch.pipeline().addAfter(AirlockChannelInitializer.DECOMPRESSOR, "measure", new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof io.netty.handler.codec.http.HttpContent c) {
                    largest.accumulateAndGet(c.content().readableBytes(), Math::max);
                }
                ctx.fireChannelRead(msg);
            }
        });
        send(ch, "POST /api/v1/feeds/osv HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nContent-Encoding: gzip\r\n"
                + "Content-Length: " + gz.size() + "\r\n\r\n");
        send(ch, gz.toByteArray());
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 413 "), a);
        assertTrue(largest.get() <= 1024 * 1024, "largest decoded piece: " + largest.get() + " bytes");
        assertEquals(List.of(), reached);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void eachRouteStillReceivesTheBodiesItAllows() throws Exception {
        EmbeddedChannel ch = channel();
        String json = "{\"left-pad\":[\"1.3.0\"]}";
        send(ch, "POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\r\nHost: a\r\nContent-Length: " + json.length()
                + "\r\n\r\n" + json);
        assertTrue(answer(ch).startsWith("HTTP/1.1 200 "));
        int upload = 2 * 1024 * 1024;
        send(ch, "POST /api/v1/feeds/osv HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < upload / (64 * 1024); i++) {
            send(ch, chunk(64 * 1024));
        }
        send(ch, "0\r\n\r\n");
        String a = answer(ch);
        assertTrue(a.startsWith("HTTP/1.1 200 "), a);
        send(ch, "GET /npm/left-pad HTTP/1.1\r\nHost: a\r\n\r\n");
        assertTrue(answer(ch).startsWith("HTTP/1.1 200 "), "a keep-alive connection serves the next request");
        assertEquals(List.of(json.length(), upload, 0), reached);
        assertTrue(ch.isOpen());
        assertFalse(ch.finishAndReleaseAll());
    }
}
