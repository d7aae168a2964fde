package dev.airlock.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.Decision;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestRouterLeakTest {
    private static final Route REFUSING = new Route() {
        @Override
        public String prefix() {
            return "/npm/";
        }

        @Override
        public void handle(HttpExchange ex) {
            Answers.refused(ex, Decision.hide("dependency_confusion", "Blocked: internal name ‘acme’ must not come from the public registry"));
        }
    };
    private static final Route THROWING = new Route() {
        @Override
        public String prefix() {
            return "/boom/";
        }

        @Override
        public void handle(HttpExchange ex) {
            throw new IllegalStateException("route bug");
        }
    };

    private static FullHttpResponse roundTrip(EmbeddedChannel ch, HttpMethod method, String uri, String body) {
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        return ch.readOutbound();
    }

    @Test
    void aRefusalHasAnAsciiReasonPhraseAndLeaksNoBuffers() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestRouter(List.of(REFUSING, THROWING), List.of()));
        FullHttpResponse r = roundTrip(ch, HttpMethod.GET, "/npm/acme-utils/-/acme-utils-1.0.0.tgz", "");
        assertEquals(403, r.status().code());
        String phrase = r.status().reasonPhrase();
        assertTrue(phrase.chars().allMatch(c -> c >= 0x20 && c < 0x7f), phrase);
        assertTrue(phrase.startsWith("Blocked: internal name"), phrase);
        assertTrue(r.content().toString(StandardCharsets.UTF_8).contains("\"code\":\"dependency_confusion\""));
        // The phrase carries the reason and then where to look; the header carries the reason with its code.
        String reason = phrase.substring(0, phrase.indexOf(" - details: "));
        assertEquals("dependency_confusion: " + reason, r.headers().get(Answers.REASON_HEADER));
        r.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aFailingRouteBecomesA500AndUnknownPathsA404WithoutLeaks() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestRouter(List.of(REFUSING, THROWING), List.of()));
        FullHttpResponse r = roundTrip(ch, HttpMethod.POST, "/boom/x", "{\"a\":1}");
        assertEquals(500, r.status().code());
        r.release();
        FullHttpResponse nf = roundTrip(ch, HttpMethod.GET, "/nowhere", "");
        assertEquals(404, nf.status().code());
        nf.release();
        assertFalse(ch.finishAndReleaseAll());
    }
}
