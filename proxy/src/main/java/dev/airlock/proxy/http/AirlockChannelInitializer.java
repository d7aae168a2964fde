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
import dev.airlock.proxy.tls.ServerTls;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The pipeline, assembled from named steps so each handler's role is visible in one place. */
public final class AirlockChannelInitializer extends ChannelInitializer<SocketChannel> {
    public static final String TLS = "tls";
    public static final String CODEC = "http-codec";
    public static final String IDLE = "idle";
    public static final String CONTINUE = "expect-continue";
    public static final String DECOMPRESSOR = "request-decompressor";
    public static final String BODY_LIMIT = "body-limit";
    public static final String BODILESS = "bodiless-requests";
    public static final String AGGREGATOR = "aggregator";
    public static final String CHUNKED = "chunked-writer";
    public static final String IN_ORDER = "pipelined-in-order";
    public static final String ROUTER = "router";

    /** Idle keep-alive connections are closed after two minutes so a crowd of clients cannot pin file descriptors. */
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(2);

    /**
     * The largest body of any route (an authenticated admin upload of OSV archives); each route's
     * own, smaller limit is applied before buffering by {@link RequestBodyLimiter}.
     */
    private final int maxRequestBytes;
    private final BodyLimits limits;
    private final RequestRouter router;
    private final Duration idle;
    private final ServerTls tls;

    public AirlockChannelInitializer(RequestRouter router, int maxRequestBytes) {
        this(router, maxRequestBytes, DEFAULT_IDLE);
    }

    /** @param idle how long a connection may go without reading a byte or sending one before it is closed */
    public AirlockChannelInitializer(RequestRouter router, int maxRequestBytes, Duration idle) {
        this(router, maxRequestBytes, idle, null);
    }

    /** @param tls the port's TLS (null: plain HTTP) */
    public AirlockChannelInitializer(RequestRouter router, int maxRequestBytes, Duration idle, ServerTls tls) {
        this.tls = tls;
        this.router = router;
        this.maxRequestBytes = maxRequestBytes;
        this.limits = new BodyLimits(maxRequestBytes);
        this.idle = idle;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        addTlsHandler(p, ch);
        addTimeoutHandlers(p);
        addHttpHandlers(p);
        if (tls != null) {
            // Only files under TLS go as chunks (sendfile cannot pass through the encryption); on plain
            // HTTP every write would pass through this handler's queue for nothing.
            p.addLast(CHUNKED, new ChunkedWriteHandler());
        }
        p.addLast(IN_ORDER, new PipelinedRequestsInOrder());
        p.addLast(ROUTER, router);
    }

    /** First, so everything after it sees plain HTTP; the certificate is the one current for this connection. */
    private void addTlsHandler(ChannelPipeline p, SocketChannel ch) {
        if (tls != null) {
            p.addLast(TLS, tls.newHandler(ch.alloc()));
        }
    }

    private void addTimeoutHandlers(ChannelPipeline p) {
        // observeOutput: a big file sent to a slow client completes its write only at the very end;
        // without watching the flush progress, the handler would call that transfer idle and cut it.
        // Netty fires the first idle event of a quiet spell before it has a baseline to compare the
        // flush progress with, so only a later event (no progress for a whole period) closes: with
        // half the timeout as the period, a stalled connection is closed within the timeout.
        p.addLast(IDLE, new IdleStateHandler(true, 0, 0, Math.max(1, idle.toMillis() / 2), TimeUnit.MILLISECONDS) {
            @Override
            protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.timeout.IdleStateEvent evt) {
                if (!evt.isFirst()) {
                    ctx.close();
                }
            }
        });
    }

    private void addHttpHandlers(ChannelPipeline p) {
        addHttpHandlers(p, maxRequestBytes, limits);
    }

    /** The HTTP steps in their order; package-private so handler tests run exactly this order. */
    static void addHttpHandlers(ChannelPipeline p, int maxRequestBytes, BodyLimits limits) {
        p.addLast(CODEC, new HttpServerCodec(8192, 32 * 1024, 64 * 1024));
        // npm audit gzips its request body; decoded before the limits, so they count what would be buffered.
        p.addLast(DECOMPRESSOR, new HttpContentDecompressor());
        // Before expect-continue: an oversized upload is refused without being invited to send.
        p.addLast(BODY_LIMIT, new RequestBodyLimiter(limits));
        p.addLast(CONTINUE, new HttpServerExpectContinueHandler());
        p.addLast(BODILESS, new BodilessRequests());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(maxRequestBytes, true));
    }
}
