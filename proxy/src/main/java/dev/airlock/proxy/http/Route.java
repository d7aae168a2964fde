package dev.airlock.proxy.http;

/**
 * Answers the requests under one path prefix. A route must answer every exchange exactly once
 * (directly or later from another thread); an exception thrown synchronously is turned into a
 * 500 by the router.
 */
public interface Route {
    /** The path prefix this route owns, e.g. {@code /npm/}. */
    String prefix();

    void handle(HttpExchange exchange) throws Exception;
}
