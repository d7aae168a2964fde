package dev.airlock.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeadersFactory;

/** Where response headers come from. */
final class ResponseHeaders {
    /**
     * Headers whose every value Airlock made or already checked (digests, lengths, constants, a
     * request id that passed {@link RequestId}): not checked again character by character on each
     * answer, which the profile of cached downloads showed on every response.
     */
    static final HttpHeadersFactory TRUSTED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private ResponseHeaders() {
    }
}
