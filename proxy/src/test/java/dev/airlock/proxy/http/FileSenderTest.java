package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSenderTest {
    private static final String SHA = "a".repeat(64);

    @TempDir
    Path dir;

    private EmbeddedChannel channel(Path file, io.netty.channel.ChannelHandler... after) {
        Route files = new Route() {
            @Override
            public String prefix() {
                return "/files/";
            }

            @Override
            public void handle(HttpExchange ex) throws Exception {
                FileSender.send(ex, file, "application/octet-stream", SHA);
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new RequestRouter(List.of(files), List.of()));
        // Added behind the router, so answers do not pass through them but the pipeline holds them.
        ch.pipeline().addLast(after);
        return ch;
    }

    private static FullHttpRequest get(String ifNoneMatch) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/files/demo-1.0.tgz",
                Unpooled.EMPTY_BUFFER);
        if (ifNoneMatch != null) {
            r.headers().set(HttpHeaderNames.IF_NONE_MATCH, ifNoneMatch);
        }
        return r;
    }

    @Test
    void anAllowedArtifactMustBeRevalidatedBeforeEachUseSoALaterBlockReachesCaches() throws Exception {
        Path file = Files.writeString(dir.resolve("a.tgz"), "bytes", StandardCharsets.US_ASCII);
        EmbeddedChannel ch = channel(file);
        ch.writeInbound(get(null));
        HttpResponse head = ch.readOutbound();
        assertEquals(200, head.status().code());
        assertEquals("private, no-cache", head.headers().get(HttpHeaderNames.CACHE_CONTROL));
        assertEquals("\"" + SHA + "\"", head.headers().get(HttpHeaderNames.ETAG));
        assertEquals("5", head.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        Object region = ch.readOutbound();
        assertInstanceOf(FileRegion.class, region);
        ReferenceCountUtil.release(region);
        Object last = ch.readOutbound();
        assertInstanceOf(LastHttpContent.class, last);
        ReferenceCountUtil.release(last);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aClientHoldingTheSameBytesGetsA304WithTheSameCacheRules() throws Exception {
        Path file = Files.writeString(dir.resolve("a.tgz"), "bytes", StandardCharsets.US_ASCII);
        EmbeddedChannel ch = channel(file);
        ch.writeInbound(get("W/\"other\", \"" + SHA + "\""));
        FullHttpResponse r = ch.readOutbound();
        assertEquals(304, r.status().code());
        assertEquals(0, r.content().readableBytes());
        assertEquals("private, no-cache", r.headers().get(HttpHeaderNames.CACHE_CONTROL));
        assertEquals("\"" + SHA + "\"", r.headers().get(HttpHeaderNames.ETAG));
        r.release();
        assertNull(ch.readOutbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aClientHoldingOtherBytesGetsTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a.tgz"), "bytes", StandardCharsets.US_ASCII);
        EmbeddedChannel ch = channel(file);
        ch.writeInbound(get("\"" + "b".repeat(64) + "\""));
        HttpResponse head = ch.readOutbound();
        assertEquals(200, head.status().code());
        ReferenceCountUtil.release(head);
        Object region = ch.readOutbound();
        assertInstanceOf(FileRegion.class, region);
        ReferenceCountUtil.release(region);
        ReferenceCountUtil.release(ch.readOutbound());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void behindTlsTheFileGoesInChunksBecauseSendfileCannotEncrypt() throws Exception {
        Path file = Files.writeString(dir.resolve("a.tgz"), "bytes", StandardCharsets.US_ASCII);
        javax.net.ssl.SSLEngine engine = javax.net.ssl.SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);
        EmbeddedChannel ch = channel(file, new io.netty.handler.ssl.SslHandler(engine));
        ch.writeInbound(get(null));
        HttpResponse head = ch.readOutbound();
        assertEquals(200, head.status().code());
        assertEquals("5", head.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        Object body = ch.readOutbound();
        assertInstanceOf(io.netty.handler.stream.ChunkedNioFile.class, body);
        ((io.netty.handler.stream.ChunkedNioFile) body).close();
        ReferenceCountUtil.release(ch.readOutbound());
        ch.finishAndReleaseAll();
    }
}
