package dev.airlock.proxy.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A corporate proxy in miniature on loopback: answers {@code CONNECT host:port} by opening a tunnel
 * and relaying bytes both ways, and records every CONNECT target. Host names are resolved through
 * {@code hosts} first, so a test can name an upstream that only this proxy can reach.
 */
public final class ConnectProxy implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-connect-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<String> tunnels = new CopyOnWriteArrayList<>();
    private final Map<String, String> hosts;

    private ConnectProxy(ServerSocket server, Map<String, String> hosts) {
        this.server = server;
        this.hosts = hosts;
    }

    public static ConnectProxy start(Map<String, String> hosts) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ConnectProxy p = new ConnectProxy(s, hosts);
        p.pool.execute(p::acceptLoop);
        return p;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Every {@code host:port} a CONNECT asked for, in order. */
    public List<String> tunnels() {
        return List.copyOf(tunnels);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            String[] first = head.split("\r\n", 2)[0].split(" ");
            OutputStream out = client.getOutputStream();
            if (first.length < 2 || !first[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Only CONNECT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String target = first[1];
            tunnels.add(target);
            int colon = target.lastIndexOf(':');
            String host = hosts.getOrDefault(target.substring(0, colon), target.substring(0, colon));
            try (Socket upstream = new Socket()) {
                upstream.connect(new InetSocketAddress(host, Integer.parseInt(target.substring(colon + 1))), 5000);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                var back = pool.submit(() -> relay(upstream.getInputStream(), out));
                relay(in, upstream.getOutputStream());
                upstream.shutdownOutput();
                back.get();
            }
        } catch (Exception e) {
            // One tunnel ended badly; the client sees its connection close.
        }
    }

    private static Void relay(InputStream from, OutputStream to) throws IOException {
        byte[] buf = new byte[16 * 1024];
        int n;
        try {
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // The other side closed.
        }
        return null;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && b.length() < 8192) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
