package dev.airlock.analysis.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.common.Json;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One queued analysis: a whole version (expanded into its files when it runs) or one file of it.
 * Ordered by priority, then by submission.
 *
 * @param deaths how many times the process died while this job's analysis was running
 */
record Job(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority, long seq, int deaths)
        implements Comparable<Job> {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Between the version and the file name in a key: no npm or PyPI name, version or file name has it. */
    static final String SEPARATOR = "|";

    /** {@code ecosystem:name@version} for a version, {@code ecosystem:name@version|<file>} for a file. */
    static String key(PackageCoordinate c, ArtifactFile file) {
        return file == null ? c.toString() : c + SEPARATOR + file.name();
    }

    static PackageCoordinate coordinateOf(String key) {
        int sep = key.indexOf(SEPARATOR);
        return PackageCoordinate.parse(sep < 0 ? key : key.substring(0, sep));
    }

    Job(PackageCoordinate coordinate, ArtifactFile file, AnalysisPriority priority, long seq) {
        this(coordinate, file, priority, seq, 0);
    }

    String key() {
        return key(coordinate, file);
    }

    /** The same job queued again (a later position among equals). */
    Job again(long nextSeq) {
        return new Job(coordinate, file, priority, nextSeq, deaths);
    }

    @Override
    public int compareTo(Job o) {
        int p = priority.compareTo(o.priority);
        return p != 0 ? p : Long.compare(seq, o.seq);
    }

    /**
     * The stored form: what a restart needs to resume the job. {@code running} is set (and
     * committed) before the analysis starts and cleared when it ends either way, so a job found
     * running at start is one the last process died under.
     */
    record Stored(String coordinate, String file, String sha256, Instant uploadedAt, int priority, Boolean running,
                  Integer deaths) {
    }

    String encode() {
        return encode(false);
    }

    String encode(boolean running) {
        try {
            return JSON.writeValueAsString(new Stored(coordinate.toString(), file == null ? null : file.name(),
                    file == null ? null : file.sha256(), file == null ? null : file.uploadedAt(), priority.ordinal(),
                    running ? Boolean.TRUE : null, deaths == 0 ? null : deaths));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Job decode(String json, long seq) throws IOException {
        return decodeStored(JSON.readValue(json, Stored.class), seq);
    }

    /** Whether the stored job was running when its process stopped. */
    static boolean wasRunning(String json) throws IOException {
        return Boolean.TRUE.equals(JSON.readValue(json, Stored.class).running());
    }

    private static Job decodeStored(Stored s, long seq) {
        ArtifactFile f = s.file() == null ? null : ArtifactFile.of(s.file(), s.sha256(), s.uploadedAt());
        return new Job(PackageCoordinate.parse(s.coordinate()), f, AnalysisPriority.values()[s.priority()], seq,
                s.deaths() == null ? 0 : s.deaths());
    }

    /** This job after the process died under it once more. */
    Job died() {
        return new Job(coordinate, file, priority, seq, deaths + 1);
    }
}
