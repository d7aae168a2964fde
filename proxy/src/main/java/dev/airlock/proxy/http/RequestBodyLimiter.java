package dev.airlock.proxy.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a request body larger than its route allows ({@link BodyLimits}) before the
 * aggregator buffers it: at once when the declared {@code Content-Length} is too large, else as
 * soon as the (decoded) bytes counted so far pass the limit, which covers chunked bodies. It sits
 * before the expect-continue handler, so an oversized upload never gets its 100 Continue.
 *
 * <p>The answer is 413 and the connection is closed rather than kept alive: the rest of the
 * body is still on the wire, and reading it only to find the next request would cost the very
 * bytes this handler exists to refuse. Closing also lets the aggregator release whatever part
 * of the request it already holds. One instance per connection (it counts one request at a time).
 */
public final class RequestBodyLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestBodyLimiter.class);

    private final BodyLimits limits;
    private BodyLimits.Limit limit;
    private HttpRequest current;
    private long seen;
    private boolean refused;

    public RequestBodyLimiter(BodyLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            // The answer is on its way and the connection closing: drop what is still arriving.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()) {
            current = req;
            limit = limits.of(req);
            seen = 0;
            long declared = HttpUtil.getContentLength(req, -1L);
            if (declared > limit.bytes()) {
                refuse(ctx, msg, declared);
                return;
            }
        }
        if (msg instanceof HttpContent c && limit != null) {
            seen += c.content().readableBytes();
            if (seen > limit.bytes()) {
                refuse(ctx, msg, seen);
                return;
            }
            if (msg instanceof LastHttpContent) {
                limit = null;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, long bytes) {
        refused = true;
        ReferenceCountUtil.release(msg);
        LOG.info("{} refused {} {}: body of {} bytes or more, {}", ctx.channel().remoteAddress(), current.method(),
                Answers.ascii(current.uri()), bytes, limit.explanation());
        ctx.writeAndFlush(Answers.bodyTooLarge(current, limit.explanation())).addListener(ChannelFutureListener.CLOSE);
    }
}
