package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Airlock as its own JVM, started the way {@code bin/airlock serve} starts it: full firewall, the
 * real sandbox on whatever engine {@code DOCKER_HOST} names, and an admin token for the API.
 */
final class AirlockProcess implements AutoCloseable {
    static final String TOKEN = "e2e-admin-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final int port;
    private final Path log;

    private AirlockProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts one and waits until {@code /healthz} answers; {@code env} is added to this JVM's environment. */
    static AirlockProcess start(Path work, Path data, Map<String, String> env, String... flags) throws Exception {
        return start("serve", work, data, env, flags);
    }

    /** The same for another command ({@code worker}). */
    static AirlockProcess start(String command, Path work, Path data, Map<String, String> env, String... flags)
            throws Exception {
        return start(command, work, data, env, Duration.ofSeconds(120), flags);
    }

    /** The same, waiting up to {@code healthyWithin} (several JVMs starting at once on a loaded machine take longer). */
    static AirlockProcess start(String command, Path work, Path data, Map<String, String> env, Duration healthyWithin,
                                String... flags) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-cp", System.getProperty("java.class.path"), "dev.airlock.proxy.Main", command,
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--data-dir", data.toString(),
                "--admin-token", TOKEN));
        cmd.addAll(List.of(flags));
        Path log = work.resolve("airlock-" + port + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        AirlockProcess a = new AirlockProcess(pb.start(), port, log);
        long deadline = System.nanoTime() + healthyWithin.toNanos();
        while (System.nanoTime() < deadline) {
            if (!a.process.isAlive()) {
                throw new AssertionError("Airlock exited at start:\n" + a.log());
            }
            try {
                if (a.get("/healthz").statusCode() == 200) {
                    return a;
                }
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        a.close();
        throw new AssertionError("Airlock did not become healthy:\n" + a.log());
    }

    int port() {
        return port;
    }

    /** SIGKILL, as the kernel's OOM killer or a lost machine would end it: no shutdown hook runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    boolean alive() {
        return process.isAlive();
    }

    String npmRegistry() {
        return "http://127.0.0.1:" + port + "/npm/";
    }

    String pypiIndex() {
        return "http://127.0.0.1:" + port + "/pypi/simple/";
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A PyPI project page in its PEP 691 JSON form, as pip asks for it. */
    JsonNode simpleJson(String project) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(pypiIndex() + project + "/"))
                .header("Accept", "application/vnd.pypi.simple.v1+json").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("project page of " + project + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** An admin API call with the token; the answer's JSON. */
    JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/" + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /api/v1/" + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
