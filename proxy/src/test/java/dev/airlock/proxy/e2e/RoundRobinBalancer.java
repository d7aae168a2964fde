package dev.airlock.proxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A TCP load balancer on loopback that stands in for a Kubernetes Service: each new connection goes
 * to the next node in turn; a node that refuses is skipped, as a readiness probe would. It counts
 * the connections each node got.
 */
final class RoundRobinBalancer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Integer> ports;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray connections;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "balancer");
        t.setDaemon(true);
        return t;
    });

    private RoundRobinBalancer(ServerSocket server, List<Integer> ports) {
        this.server = server;
        this.ports = List.copyOf(ports);
        this.connections = new AtomicLongArray(ports.size());
    }

    static RoundRobinBalancer start(List<Integer> ports) throws IOException {
        ServerSocket s = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        RoundRobinBalancer b = new RoundRobinBalancer(s, ports);
        b.pool.submit(b::accept);
        return b;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections node {@code i} (in the order given) received. */
    long connections(int i) {
        return connections.get(i);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.submit(() -> relay(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        Socket upstream = null;
        for (int tries = 0; tries < ports.size() && upstream == null; tries++) {
            int i = Math.floorMod(next.getAndIncrement(), ports.size());
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(i)), 1_000);
                upstream = s;
                connections.incrementAndGet(i);
            } catch (IOException refused) {
                // the next node
            }
        }
        if (upstream == null) {
            closeQuietly(client);
            return;
        }
        Socket up = upstream;
        pool.submit(() -> pipe(client, up));
        pipe(up, client);
    }

    private static void pipe(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // either side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
