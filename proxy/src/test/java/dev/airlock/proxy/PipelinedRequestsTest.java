package dev.airlock.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 pipelining on one socket: requests written back to back without waiting are answered
 * in request order and each answer is complete, although a cached packument is ready at once and
 * a tarball only after a slow upstream fetch.
 */
@Timeout(60)
class PipelinedRequestsTest {
    @TempDir
    Path data;
    private WireMockServer upstream;
    private Airlock airlock;
    private final TestGate gate = new TestGate();
    private final byte[] v1 = Fixtures.tarball("left-pad", "1.0.0");
    private final byte[] v2 = Fixtures.tarball("left-pad", "1.1.0");

    @BeforeEach
    void start() throws Exception {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        upstream.stubFor(get("/left-pad").willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(Fixtures.packument("left-pad", base, "1.1.0", new String[][]{
                        {"1.0.0", Fixtures.integrity(v1)}, {"1.1.0", Fixtures.integrity(v2)}}))));
        // Slow on purpose: the answers after it are ready long before it is.
        upstream.stubFor(get("/left-pad/-/left-pad-1.0.0.tgz").willReturn(aResponse().withBody(v1).withFixedDelay(700)));
        upstream.stubFor(get("/left-pad/-/left-pad-1.1.0.tgz").willReturn(aResponse().withBody(v2)));
        gate.block("npm:left-pad@1.1.0", "blocked_admin", "Blocked by admin: bad release");
        AirlockConfig config = ConfigLoader.load(new String[]{"--port", "0", "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--npm-upstream", base, "--pypi-upstream", base + "simple/",
                "--upstream.retries", "1"}, Map.of()).config();
        airlock = Airlock.start(config, GateOnly.of(gate));
    }

    @AfterEach
    void stop() {
        airlock.close();
        upstream.stop();
    }

    private record Answer(int status, byte[] body) {
    }

    @Test
    void pipelinedRequestsAreAnsweredCompletelyAndInRequestOrder() throws Exception {
        List<String> paths = List.of("/npm/left-pad", "/npm/left-pad/-/left-pad-1.0.0.tgz", "/npm/no-such-package-here",
                "/npm/left-pad/-/left-pad-1.1.0.tgz", "/npm/left-pad", "/healthz");
        try (Socket s = new Socket("127.0.0.1", airlock.port())) {
            s.setSoTimeout(30_000);
            // Warm the packument so the first answer is a cache hit.
            write(s.getOutputStream(), List.of("/npm/left-pad"));
            assertEquals(200, read(s.getInputStream()).status());
            write(s.getOutputStream(), paths);
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                answers.add(read(s.getInputStream()));
            }
            assertEquals(List.of(200, 200, 404, 403, 200, 200), answers.stream().map(Answer::status).toList());
            assertTrue(new String(answers.get(0).body(), StandardCharsets.UTF_8).contains("\"left-pad\""));
            assertArrayEquals(v1, answers.get(1).body(), "the slow tarball arrives whole, in its place");
            assertTrue(new String(answers.get(3).body(), StandardCharsets.UTF_8).contains("blocked_admin"));
        }
    }

    private static void write(OutputStream out, List<String> paths) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String p : paths) {
            sb.append("GET ").append(p).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One HTTP/1.1 response: status line, headers, a body by Content-Length or chunked. */
    private static Answer read(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String h; !(h = line(in)).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                line(in);
            }
            while (!line(in).isEmpty()) {
                // trailers
            }
        } else if (length > 0) {
            body.write(in.readNBytes((int) length));
        }
        return new Answer(code, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-answer after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
