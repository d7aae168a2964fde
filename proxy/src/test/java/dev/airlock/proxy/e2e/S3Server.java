package dev.airlock.proxy.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A local S3-compatible server for tests: s3proxy (Apache-2.0) on a filesystem folder, no
 * authentication, on a free loopback port, as its own JVM. The build copies its jar from Maven
 * Central to {@code target/s3proxy/s3proxy.jar}. Public for the artifact store's tests as well.
 */
public final class S3Server implements AutoCloseable {
    static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");
    private final Process process;
    private final int port;

    private S3Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static boolean available() {
        return Files.isRegularFile(JAR);
    }

    /** Starts it on {@code dir} and creates {@code bucket}. */
    public static S3Server start(Path dir, String bucket) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir.resolve("blobs"));
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=none",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("blobs"), ""));
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(), "--properties", props.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        S3Server s = new S3Server(p, port);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.endpoint() + "/" + bucket))
                        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 || r.statusCode() == 409) {
                    return s;
                }
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        s.close();
        throw new AssertionError("s3proxy did not start: " + Files.readString(dir.resolve("s3proxy.log")));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
