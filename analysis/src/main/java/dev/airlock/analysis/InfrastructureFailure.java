package dev.airlock.analysis;

import java.time.Instant;

/**
 * An analysis that could not run for reasons that have nothing to do with the package: no engine,
 * a container that would not start, an upstream that did not answer. Never a verdict; the job is
 * retried and the version keeps its state meanwhile.
 *
 * @param job     the queue's key of the job ({@code ecosystem:name@version[|file]})
 * @param cause   stable snake_case cause, e.g. {@code sandbox_unavailable}, {@code fetch_failed}
 * @param detail  what happened, with the sandbox's init log excerpt when there is one
 * @param attempt how many times this job has failed so far
 */
public record InfrastructureFailure(Instant at, String job, String cause, String detail, int attempt) {
}
