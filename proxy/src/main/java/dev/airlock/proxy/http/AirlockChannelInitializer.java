package dev.airlock.proxy.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The pipeline, assembled from named steps so each handler's role is visible in one place. */
public final class AirlockChannelInitializer extends ChannelInitializer<SocketChannel> {
    public static final String CODEC = "http-codec";
    public static final String IDLE = "idle";
    public static final String CONTINUE = "expect-continue";
    public static final String DECOMPRESSOR = "request-decompressor";
    public static final String AGGREGATOR = "aggregator";
    public static final String CHUNKED = "chunked-writer";
    public static final String ROUTER = "router";

    /** Request bodies are small JSON documents or OSV archives; anything larger is refused with 413. */
    private final int maxRequestBytes;
    private final RequestRouter router;

    public AirlockChannelInitializer(RequestRouter router, int maxRequestBytes) {
        this.router = router;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addTimeoutHandlers(p);
        addHttpHandlers(p);
        p.addLast(ROUTER, router);
    }

    private static void addTimeoutHandlers(ChannelPipeline p) {
        // Idle keep-alive connections are closed after two minutes so a crowd of clients cannot pin file descriptors.
        p.addLast(IDLE, new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS) {
            @Override
            protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.timeout.IdleStateEvent evt) {
                ctx.close();
            }
        });
    }

    private void addHttpHandlers(ChannelPipeline p) {
        p.addLast(CODEC, new HttpServerCodec(8192, 32 * 1024, 64 * 1024));
        p.addLast(CONTINUE, new HttpServerExpectContinueHandler());
        // npm audit gzips its request body; decoded before aggregation, so the size limit applies to what we read.
        p.addLast(DECOMPRESSOR, new HttpContentDecompressor());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(maxRequestBytes, true));
        p.addLast(CHUNKED, new ChunkedWriteHandler());
    }
}
