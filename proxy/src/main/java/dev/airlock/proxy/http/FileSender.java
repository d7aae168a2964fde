package dev.airlock.proxy.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sends a stored artifact from disk with zero-copy {@code sendfile}: the artifact is never loaded
 * into memory.
 *
 * <p>Callers reach this only after policy allowed the download, so a 304 here is as much a
 * decision as a 200. The bytes of a published artifact never change, but whether they may be served
 * does: {@link #CACHE_CONTROL} lets clients and shared caches keep a copy yet makes them ask again
 * before each use, so a later block takes effect on the next request instead of a year later.
 */
public final class FileSender {
    /** {@code private}: shared caches must not answer for Airlock; {@code no-cache}: revalidate before every use. */
    public static final String CACHE_CONTROL = "private, no-cache";
    /** Chunk size under TLS: a few TLS records per read, small enough to stay off the heap's radar. */
    private static final int TLS_CHUNK = 64 * 1024;

    private FileSender() {
    }

    /**
     * The file's bytes as the pipeline can send them: zero-copy {@code sendfile} on plain HTTP; under
     * TLS the bytes must pass through the encryption in user space, so they go as chunks read by
     * the {@code ChunkedWriteHandler} (only as fast as the connection drains, never the whole file).
     */
    static Object body(ChannelHandlerContext ctx, FileChannel ch, long size) throws IOException {
        if (ctx.pipeline().get(SslHandler.class) != null) {
            return new ChunkedNioFile(ch, 0, size, TLS_CHUNK);
        }
        return new DefaultFileRegion(ch, 0, size);
    }

    /**
     * @param etag strong validator (the artifact's sha256); a matching If-None-Match gets 304
     */
    public static void send(HttpExchange ex, Path file, String contentType, String etag) throws IOException {
        String quoted = "\"" + etag + "\"";
        String inm = ex.header(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null && (inm.contains(quoted) || inm.trim().equals("*"))) {
            io.netty.handler.codec.http.DefaultHttpHeaders h = new io.netty.handler.codec.http.DefaultHttpHeaders();
            h.set(HttpHeaderNames.ETAG, quoted);
            // RFC 9110 15.4.5: a 304 carries the Cache-Control a 200 would have carried.
            h.set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
            ex.respond(HttpResponseStatus.NOT_MODIFIED, null, new byte[0], h);
            return;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        long size;
        try {
            size = ch.size();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (!ex.claimStreaming(200)) {
            ch.close();
            return;
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ResponseHeaders.TRUSTED);
        r.headers().set(RequestId.HEADER, ex.requestId());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.ETAG, quoted);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        r.headers().set(HttpHeaderNames.CONNECTION, ex.keepAlive() ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(r, size);
        ChannelHandlerContext ctx = ex.ctx();
        ctx.write(r);
        if (ex.method().equals(HttpMethod.HEAD)) {
            ch.close();
            ex.finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            return;
        }
        ctx.write(body(ctx, ch, size));
        ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        ex.finish(last);
    }
}
