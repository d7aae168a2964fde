package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real socket with small buffers: the only way to see what the idle handler does to a long transfer. */
class SlowReaderIdleTest {
    private static final int FILE_BYTES = 1 << 20;
    private static final Duration IDLE = Duration.ofMillis(800);

    @TempDir
    Path dir;
    private EventLoopGroup group;
    private Channel server;

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("big.tgz");
        Files.write(file, new byte[FILE_BYTES]);
        Route files = new Route() {
            @Override
            public String prefix() {
                return "/files/";
            }

            @Override
            public void handle(HttpExchange ex) throws Exception {
                FileSender.send(ex, file, "application/octet-stream", "c".repeat(64));
            }
        };
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new AirlockChannelInitializer(new RequestRouter(List.of(files), List.of()), 1 << 16, IDLE))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSlowButSteadyDownloadOutlivesTheIdleTimeoutAndAnIdleConnectionIsClosedAfterIt() throws Exception {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = s.getOutputStream();
            out.write("GET /files/big.tgz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            long started = System.nanoTime();
            long body = readBody(in);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(IDLE.multipliedBy(2)) > 0, "the read was not slow enough to test anything: " + took);
            assertEquals(FILE_BYTES, body, "the transfer was cut after " + took);

            s.setSoTimeout((int) IDLE.multipliedBy(5).toMillis());
            long idleStart = System.nanoTime();
            assertEquals(-1, in.read(), "an idle keep-alive connection is closed by the server");
            assertTrue(Duration.ofNanos(System.nanoTime() - idleStart).compareTo(IDLE.multipliedBy(4)) < 0);
        }
    }

    /** Reads the headers, then the body in small sips with pauses; returns the body bytes read before EOF. */
    private static long readBody(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return -1;
            }
            head.append((char) c);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
        byte[] buf = new byte[16 * 1024];
        long total = 0;
        while (total < FILE_BYTES) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, FILE_BYTES - total));
            if (n < 0) {
                break;
            }
            total += n;
            Thread.sleep(25);
        }
        return total;
    }
}
