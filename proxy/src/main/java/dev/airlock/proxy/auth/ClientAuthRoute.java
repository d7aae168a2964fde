package dev.airlock.proxy.auth;

import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Puts client identities in front of a package route: with tokens configured, a request must carry
 * one ({@code Authorization}) and the exchange is marked with its name; without, it gets 401.
 * What the clients show: pip prints the reason phrase; npm prints {@code Unable to authenticate,
 * need: <WWW-Authenticate>}, so that header is written as a sentence and names neither
 * {@code Basic} nor {@code Bearer}, which would make npm advise {@code npm login} instead.
 */
public final class ClientAuthRoute implements Route {
    static final String REASON = "Airlock needs a client token (airlock client-config --token prints the settings)";
    static final String CHALLENGE = "Airlock-Token realm=\"Airlock\" hint=\"set _authToken for this registry in .npmrc, or"
            + " put NAME:TOKEN@ in the pip index URL; airlock client-config --token TOKEN prints both\"";
    private final Route delegate;
    private final ClientTokens tokens;

    public ClientAuthRoute(Route delegate, ClientTokens tokens) {
        this.delegate = delegate;
        this.tokens = tokens;
    }

    /** The route itself when tokens are off, so nothing changes for an Airlock without identities. */
    public static Route wrap(Route route, ClientTokens tokens) {
        return tokens.enabled() ? new ClientAuthRoute(route, tokens) : route;
    }

    @Override
    public String prefix() {
        return delegate.prefix();
    }

    @Override
    public void handle(HttpExchange ex) throws Exception {
        Optional<String> who = tokens.identify(ex.header(HttpHeaderNames.AUTHORIZATION));
        if (who.isEmpty()) {
            String error = ex.header(HttpHeaderNames.AUTHORIZATION) == null
                    ? "this Airlock needs a client token: npm/pnpm: //HOST/npm/:_authToken=TOKEN in .npmrc;"
                    + " yarn: npmAuthToken; pip/uv: https://NAME:TOKEN@HOST/pypi/simple/ (airlock client-config --token)"
                    : "this client token is not known to Airlock (ask its admin for a new one)";
            ex.describe("-", "unauthenticated");
            ex.respond(new HttpResponseStatus(401, REASON), "application/json",
                    ("{\"error\":\"" + error + "\"}").getBytes(StandardCharsets.UTF_8),
                    new DefaultHttpHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE));
            return;
        }
        ex.identify(who.get());
        delegate.handle(ex);
    }
}
