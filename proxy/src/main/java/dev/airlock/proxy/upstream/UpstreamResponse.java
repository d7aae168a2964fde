package dev.airlock.proxy.upstream;

import java.net.http.HttpHeaders;

/** A small upstream answer held in memory (metadata only; artifacts are streamed to disk). */
public record UpstreamResponse(int status, HttpHeaders headers, byte[] body) {
    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }
}
