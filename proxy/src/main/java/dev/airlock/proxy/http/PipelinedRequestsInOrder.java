package dev.airlock.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * HTTP/1.1 pipelining (RFC 9112 §9.3): a client may send several requests on one connection
 * without waiting, and the answers must come back in the order of the requests. Routes answer
 * asynchronously (a cached packument at once, a tarball after an upstream fetch), so this handler
 * lets one request at a time through to the router and holds the next until the last part of the
 * current answer has been written. Reading pauses while too many requests wait, so a client
 * cannot pile up requests in memory.
 */
public final class PipelinedRequestsInOrder extends ChannelDuplexHandler {
    /** Requests held beyond the one being answered before reading pauses. */
    static final int MAX_WAITING = 16;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean answering;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (answering) {
            waiting.add(request);
            if (waiting.size() >= MAX_WAITING) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        answering = true;
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (last) {
            // The answer's bytes are queued in order on the channel: the next request may start now.
            // Later, not inside this write; and only when one waits (most connections send one at a time).
            answering = false;
            if (!waiting.isEmpty()) {
                ctx.executor().execute(() -> next(ctx));
            }
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (answering || !ctx.channel().isActive()) {
            return;
        }
        FullHttpRequest request = waiting.poll();
        if (request == null) {
            return;
        }
        answering = true;
        if (waiting.size() < MAX_WAITING && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelRead(request);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    private void releaseWaiting() {
        for (FullHttpRequest r; (r = waiting.poll()) != null; ) {
            ReferenceCountUtil.release(r);
        }
    }
}
