package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real HTTP steps of the pipeline: what reaches the router for requests with and without a body. */
class BodilessRequestsTest {
    private static final int MAX = 1024 * 1024;

    private record Seen(String method, String uri, String body, String header, boolean plain) {
    }

    private final List<Seen> seen = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        AirlockChannelInitializer.addHttpHandlers(ch.pipeline(), MAX, new BodyLimits(MAX));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest r = assertInstanceOf(FullHttpRequest.class, msg);
                seen.add(new Seen(r.method().name(), r.uri(), r.content().toString(StandardCharsets.UTF_8),
                        r.headers().get("X-Probe"), r.getClass() == DefaultFullHttpRequest.class));
                ReferenceCountUtil.release(msg);
            }
        });
        return ch;
    }

    @Test
    void aGetArrivesWholeWithoutPassingThroughTheAggregator() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /npm/left-pad HTTP/1.1\r\nHost: a\r\nX-Probe: 1\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        assertEquals(List.of(new Seen("GET", "/npm/left-pad", "", "1", true)), seen);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void bodiesWhetherByLengthOrChunkedAreStillAggregatedBetweenPipelinedGets() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                + "HEAD /d HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertEquals(List.of("GET /a ", "POST /b hello", "POST /c abcde", "HEAD /d "),
                seen.stream().map(s -> s.method() + " " + s.uri() + " " + s.body()).toList());
        assertEquals(List.of(true, false, false, true), seen.stream().map(Seen::plain).toList(),
                "only the requests without a body skip the aggregator");
        assertFalse(ch.finishAndReleaseAll());
    }
}
