package dev.airlock.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 server on loopback whose answers are scripted byte by byte, so a test can stall
 * or reset a body exactly half-way. Every answer closes its connection, so requests = connections.
 */
final class LoopbackUpstream implements AutoCloseable {
    /** Writes the whole answer for the {@code n}-th request (0-based). */
    @FunctionalInterface
    interface Script {
        void answer(int n, Socket socket, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    LoopbackUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s, script), "loopback-upstream-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "loopback-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(Socket s, Script script) {
        int now = open.incrementAndGet();
        maxOpen.accumulateAndGet(now, Math::max);
        try (s) {
            InputStream in = s.getInputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : 0;
            }
            script.answer(requests.getAndIncrement(), s, s.getOutputStream());
        } catch (Exception e) {
            // The client gave up (timeouts under test): nothing to answer any more.
        } finally {
            open.decrementAndGet();
        }
    }

    static void head(OutputStream out, int status, long contentLength) throws IOException {
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: " + contentLength + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    int requests() {
        return requests.get();
    }

    int maxOpenConnections() {
        return maxOpen.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
