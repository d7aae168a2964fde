package dev.airlock.proxy.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request the admin API answers with an error status and a message, never a stack trace. */
final class ApiProblem extends RuntimeException {
    private final HttpResponseStatus status;

    private ApiProblem(HttpResponseStatus status, String message) {
        super(message);
        this.status = status;
    }

    static ApiProblem badRequest(String message) {
        return new ApiProblem(HttpResponseStatus.BAD_REQUEST, message);
    }

    static ApiProblem notFound(String message) {
        return new ApiProblem(HttpResponseStatus.NOT_FOUND, message);
    }

    static ApiProblem methodNotAllowed(String message) {
        return new ApiProblem(HttpResponseStatus.METHOD_NOT_ALLOWED, message);
    }

    static ApiProblem conflict(String message) {
        return new ApiProblem(HttpResponseStatus.CONFLICT, message);
    }

    HttpResponseStatus status() {
        return status;
    }
}
