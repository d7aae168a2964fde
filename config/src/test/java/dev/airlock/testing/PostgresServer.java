package dev.airlock.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throw-away PostgreSQL server for tests, from the machine's own binaries (Debian's
 * {@code postgresql} package, installed by {@code .ci/setup-postgres.sh}): {@code initdb} with
 * trust authentication in a temporary folder, listening on a free loopback port, stopped and
 * deleted at {@link #close()}. PostgreSQL refuses to run as root, so as root it runs as the
 * {@code postgres} user the package creates.
 */
public final class PostgresServer implements AutoCloseable {
    private static final String USER = "airlock";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The folder of {@code initdb} and {@code pg_ctl}, when PostgreSQL is installed. */
    public static Optional<Path> binaries() {
        List<Path> candidates = new ArrayList<>();
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (var s = Files.list(debian)) {
                s.map(p -> p.resolve("bin")).sorted(Comparator.reverseOrder()).forEach(candidates::add);
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty()) {
                candidates.add(Path.of(p));
            }
        }
        return candidates.stream().filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))
                && Files.isExecutable(p.resolve("postgres"))).findFirst();
    }

    /** Skips the test on a machine without PostgreSQL; fails it in CI. */
    public static void require() {
        Requirements.require(binaries().isPresent(), "PostgreSQL (.ci/setup-postgres.sh)");
    }

    /** Starts a new server; callers {@link #require()} first. */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("airlock-pg-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false, 30);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer pg = new PostgresServer(bin, dir, port, root);
        pg.pg(List.of(bin.resolve("initdb").toString(), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8",
                "-D", dir.resolve("data").toString()), 120);
        pg.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=300", "start"), 90);
        return pg;
    }

    /** Creates a new, empty database and returns its {@code store.url}. */
    public String newDatabase() throws IOException, InterruptedException {
        String name = "airlock_test_" + DATABASES.incrementAndGet();
        pg(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER,
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE " + name), 60);
        return url(name);
    }

    public String url(String database) {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    public int port() {
        return port;
    }

    private void pg(List<String> command, int seconds) throws IOException, InterruptedException {
        run(command, asPostgres, seconds);
    }

    private static void run(List<String> command, boolean asPostgres, int seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Path out = Files.createTempFile("airlock-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in " + seconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
                    "stop"), 60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
