package dev.airlock.proxy;

import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** {@code GET /healthz}: 200 once the server accepts requests (it is only bound after wiring is done). */
final class HealthRoute implements Route {
    @Override
    public String prefix() {
        return "/healthz";
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.respondJson(HttpResponseStatus.OK, Map.of("status", "ok"));
    }
}
