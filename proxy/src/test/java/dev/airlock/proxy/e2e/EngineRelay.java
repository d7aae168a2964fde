package dev.airlock.proxy.e2e;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unix socket that forwards to the real Docker engine's socket, so a test can make an engine
 * appear at an address Airlock was started with: absent first, present once the relay starts.
 */
final class EngineRelay implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path socket;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private EngineRelay(ServerSocketChannel server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    /** The engine's own socket, from {@code DOCKER_HOST} when it names one, else the default. */
    static Path engineSocket() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://")) {
            return Path.of(host.substring("unix://".length()));
        }
        return Path.of("/var/run/docker.sock");
    }

    static EngineRelay start(Path socket, Path target) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        EngineRelay relay = new EngineRelay(server, socket);
        Thread acceptor = new Thread(() -> relay.accept(target), "engine-relay");
        acceptor.setDaemon(true);
        acceptor.start();
        return relay;
    }

    private void accept(Path target) {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                SocketChannel engine = SocketChannel.open(UnixDomainSocketAddress.of(target));
                open.add(client);
                open.add(engine);
                pump(client, engine);
                pump(engine, client);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("engine relay: " + e);
                }
                return;
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // One side went away; the other is closed with it.
                closeQuietly(to);
                closeQuietly(from);
            }
        }, "engine-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        open.forEach(EngineRelay::closeQuietly);
        Files.deleteIfExists(socket);
    }
}
