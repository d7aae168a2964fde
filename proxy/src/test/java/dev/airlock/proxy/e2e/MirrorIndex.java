package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEP 691 / PEP 503 index on loopback that stands in for PyPI: it serves real wheels and sdists
 * from this machine's local PyPI mirror (found through {@code pip config list}), byte for byte,
 * with their sha256 and an upload time (the mirror file's modification time unless a test says
 * otherwise). Tests may add files of their own to a project.
 */
final class MirrorIndex implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HREF = Pattern.compile("href=\"([^\"#]+)(?:#sha256=([0-9a-f]{64}))?\"");
    private static final Pattern FILE_URL = Pattern.compile("file://(/[^'\"\\s]+)");

    record IndexFile(String project, String filename, Path path, String sha256, Instant uploaded) {
    }

    private final HttpServer server;
    private final Map<String, List<IndexFile>> projects = new ConcurrentHashMap<>();
    private final Map<String, IndexFile> byName = new ConcurrentHashMap<>();

    private MirrorIndex(HttpServer server) {
        this.server = server;
    }

    static MirrorIndex start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        MirrorIndex index = new MirrorIndex(server);
        server.createContext("/", index::handle);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "mirror-index");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return index;
    }

    /** The simple-index directories of the local mirror, from {@code pip config list}; empty when there is none. */
    static List<Path> localMirrors() {
        List<Path> out = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("pip", "config", "list").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            Matcher m = FILE_URL.matcher(text);
            while (m.find()) {
                Path dir = Path.of(m.group(1));
                if (Files.isDirectory(dir) && dir.getFileName().toString().equals("simple") && !out.contains(dir)) {
                    out.add(dir);
                }
            }
        } catch (IOException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** Serves every file the local mirror has for this project; false when the mirror has none. */
    boolean addFromMirror(String project) throws IOException {
        for (Path simple : localMirrors()) {
            Path page = simple.resolve(project).resolve("index.html");
            if (!Files.isRegularFile(page)) {
                continue;
            }
            Matcher m = HREF.matcher(Files.readString(page));
            boolean any = false;
            while (m.find()) {
                Path file = page.getParent().resolve(m.group(1)).normalize();
                if (Files.isRegularFile(file)) {
                    add(project, file, Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS));
                    any = true;
                }
            }
            if (any) {
                return true;
            }
        }
        return false;
    }

    /** Serves this file as one of the project's, uploaded at {@code uploaded}. */
    IndexFile add(String project, Path file, Instant uploaded) throws IOException {
        IndexFile f = new IndexFile(project, file.getFileName().toString(), file, Digests.sha256Hex(file), uploaded);
        projects.computeIfAbsent(project, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(f);
        byName.put(f.filename(), f);
        return f;
    }

    String simpleUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = URI.create(ex.getRequestURI().getRawPath()).getPath();
            if (path.startsWith("/simple/")) {
                String name = path.substring("/simple/".length()).replaceAll("/$", "");
                List<IndexFile> files = projects.get(name);
                if (files == null) {
                    send(ex, 404, "text/plain", "no project " + name);
                    return;
                }
                String accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept"));
                if (accept.contains("application/vnd.pypi.simple.v1+json")) {
                    send(ex, 200, "application/vnd.pypi.simple.v1+json", json(name, files));
                } else {
                    send(ex, 200, "text/html", html(name, files));
                }
            } else if (path.startsWith("/files/")) {
                IndexFile f = byName.get(path.substring("/files/".length()));
                if (f == null) {
                    send(ex, 404, "text/plain", "no such file");
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, Files.size(f.path()));
                try (OutputStream out = ex.getResponseBody(); InputStream in = Files.newInputStream(f.path())) {
                    in.transferTo(out);
                }
            } else {
                send(ex, 404, "text/plain", "not found");
            }
        }
    }

    private String json(String name, List<IndexFile> files) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("meta").put("api-version", "1.1");
        root.put("name", name);
        ArrayNode out = root.putArray("files");
        List<String> versions = new ArrayList<>();
        for (IndexFile f : files) {
            ObjectNode o = out.addObject();
            o.put("filename", f.filename());
            o.put("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + f.filename());
            o.putObject("hashes").put("sha256", f.sha256());
            o.put("upload-time", f.uploaded().toString());
            o.put("size", Files.size(f.path()));
        }
        root.putArray("versions");
        return JSON.writeValueAsString(root);
    }

    private String html(String name, List<IndexFile> files) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><body>\n");
        for (IndexFile f : files) {
            sb.append("<a href=\"/files/").append(f.filename()).append("#sha256=").append(f.sha256()).append("\">")
                    .append(f.filename()).append("</a>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** For assertions: the projects served, by name, with their files. */
    Map<String, List<IndexFile>> projects() {
        return new LinkedHashMap<>(projects);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
