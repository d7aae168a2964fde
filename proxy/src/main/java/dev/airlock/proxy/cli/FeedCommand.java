package dev.airlock.proxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code admin feed import PATH}: OSV malware records, from a file, a zip, or a directory sent as a zip. */
@Command(name = "feed", description = "The malware feed: feed import PATH.")
final class FeedCommand implements Callable<Integer> {
    @ParentCommand
    AdminCommand admin;

    /** No subcommand: a usage error, exit 2. */
    @Override
    public Integer call() throws AdminException {
        throw AdminException.usage("feed import PATH");
    }

    @Command(name = "import", description = "Import OSV records: one .json file, a .zip, or a directory of them.")
    int importRecords(@Parameters(paramLabel = "PATH") Path path) throws AdminException {
        if (!Files.exists(path)) {
            throw new AdminException(AdminException.USAGE, "no such file or directory: " + path);
        }
        byte[] bytes;
        String type;
        try {
            if (Files.isDirectory(path)) {
                bytes = FeedUpload.zipDirectory(path);
                type = "application/zip";
            } else {
                bytes = Files.readAllBytes(path);
                type = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip") ? "application/zip" : "application/json";
            }
        } catch (IOException e) {
            throw new AdminException(AdminException.OTHER, "cannot read " + path + ": " + e.getMessage());
        }
        AdminSession s = admin.session();
        FeedUpload.Progress progress = new FeedUpload.Progress(s.ctx().err(), s.ctx().terminal(), bytes.length);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> progress.wrap(bytes)), bytes.length);
        JsonNode body;
        try {
            body = s.client().postBody("feeds/osv", type, publisher, Duration.ofMinutes(30));
        } finally {
            progress.done();
        }
        if (s.output().json()) {
            return s.output().printJson(body);
        }
        StringBuilder summary = new StringBuilder("imported " + path.getFileName());
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode()) {
                summary.append(", ").append(e.getKey()).append('=').append(e.getValue().asText());
            }
        }
        s.output().println(summary.toString());
        return 0;
    }
}
