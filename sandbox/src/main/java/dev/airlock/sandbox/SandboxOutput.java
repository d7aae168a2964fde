package dev.airlock.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.common.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the in-sandbox helpers wrote to the output directory, read back on the host. */
final class SandboxOutput {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxOutput.class);
    static final ObjectMapper JSON = Json.MAPPER;

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Step(List<String> argv, Integer exitCode) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PhaseResult(String phase, String status, Integer exitCode, long durationMs, List<Step> steps, double started,
                       double ended) {
        PhaseResult {
            steps = steps == null ? List.of() : steps;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record InitResult(List<PhaseResult> phases) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record DnsRecord(String name, int type, String address, double t) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ListenerRecord(String address, int port, double t, String firstBytes, String requestLine, String host) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Bait(String bait, String path, List<String> markers) {
    }

    /**
     * What the init recorded when it gave up because of the sandbox, not the package.
     *
     * @param cause   a {@link SandboxUnavailableException} code, e.g. {@code input_unreadable}
     * @param message what failed
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record InitFailure(String cause, String message) {
    }

    final InitResult result;
    /** Whether the init began handling the package (everything before is the sandbox's own set-up). */
    final boolean packageStarted;
    /** Null unless the init recorded a failure of its own. */
    final InitFailure failure;
    final List<DnsRecord> dns;
    final List<ListenerRecord> connections;
    final List<Bait> baits;
    final Path dir;

    private SandboxOutput(Path dir, InitResult result, boolean packageStarted, InitFailure failure, List<DnsRecord> dns,
                          List<ListenerRecord> connections, List<Bait> baits) {
        this.dir = dir;
        this.result = result;
        this.packageStarted = packageStarted;
        this.failure = failure;
        this.dns = dns;
        this.connections = connections;
        this.baits = baits;
    }

    static SandboxOutput read(Path dir) throws IOException {
        Path resultFile = dir.resolve("result.json");
        InitResult result = Files.isRegularFile(resultFile) ? JSON.readValue(resultFile.toFile(), InitResult.class) : null;
        List<Bait> baits = Files.isRegularFile(dir.resolve("baits.json"))
                ? List.of(JSON.readValue(dir.resolve("baits.json").toFile(), Bait[].class)) : List.of();
        Path failureFile = dir.resolve("failure.json");
        InitFailure failure = null;
        if (Files.isRegularFile(failureFile)) {
            try {
                failure = JSON.readValue(failureFile.toFile(), InitFailure.class);
            } catch (IOException e) {
                failure = new InitFailure(SandboxUnavailableException.INIT_FAILED, "unreadable failure.json: " + e.getMessage());
            }
        }
        return new SandboxOutput(dir, result, Files.isRegularFile(dir.resolve("started")), failure, lines(dir.resolve("dns.jsonl"), DnsRecord.class),
                lines(dir.resolve("listener.jsonl"), ListenerRecord.class), baits);
    }

    Path trace(String phase) {
        return dir.resolve(phase + ".trace");
    }

    String initLog() {
        try {
            Path log = dir.resolve("init.log");
            return Files.isRegularFile(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static <T> List<T> lines(Path file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(JSON.readValue(line, type));
                } catch (IOException e) {
                    LOG.warn("unreadable line in {}: {}", file.getFileName(), e.getMessage());
                }
            }
        }
        return out;
    }
}
