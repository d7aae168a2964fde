package dev.airlock.proxy.upstream;

import java.time.Instant;

/**
 * One upstream registry as the status page shows it: its circuit breaker and when it last
 * answered and last failed, with that failure's message.
 *
 * @param lastSuccessAt null until the first answer
 * @param lastError     null until the first failure
 */
public record UpstreamHealth(String name, String breaker, Instant lastSuccessAt, String lastError, Instant lastErrorAt) {
}
