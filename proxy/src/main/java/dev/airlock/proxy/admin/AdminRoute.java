package dev.airlock.proxy.admin;

import io.netty.handler.codec.http.HttpMethod;

/**
 * One row of the admin API's route table: a method and a path shape answered by a handler.
 * Shapes are segment lists where {@code {package}} stands for {@code {ecosystem}/{name}} (a
 * scoped npm name included) and {@code {version}} for one more segment.
 */
record AdminRoute(HttpMethod method, String shape, Handler handler) {
    /** Answers one matched request. */
    @FunctionalInterface
    interface Handler {
        void handle(AdminRequest request) throws Exception;
    }
}
