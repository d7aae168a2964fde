package dev.airlock.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Makes a request without a body whole at once: the request line and headers plus the empty end
 * the decoder sends after them become one {@link FullHttpRequest} with no body. Nearly every
 * request Airlock gets is such a GET; the aggregator behind this would otherwise build a
 * composite buffer and a wrapper for each, to hold nothing. Requests with a body (a length or a
 * chunked transfer) pass on unchanged to be aggregated.
 */
final class BodilessRequests extends ChannelInboundHandlerAdapter {
    private HttpRequest held;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (held == null) {
            if (msg instanceof HttpRequest req && !(msg instanceof FullHttpRequest) && bodiless(req)) {
                held = req;
                return;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        HttpRequest req = held;
        held = null;
        if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()
                && last.decoderResult().isSuccess()) {
            last.release();
            FullHttpRequest full = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                    Unpooled.EMPTY_BUFFER, req.headers(), EmptyHttpHeaders.INSTANCE);
            full.setDecoderResult(req.decoderResult());
            ctx.fireChannelRead(full);
            return;
        }
        // Not the empty end that was announced: let the aggregator see both parts as they came.
        ctx.fireChannelRead(req);
        ctx.fireChannelRead(msg);
    }

    private static boolean bodiless(HttpRequest req) {
        if (!req.decoderResult().isSuccess() || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        String length = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null || length.equals("0");
    }
}
