package dev.airlock.sandbox;

import dev.airlock.model.Ecosystem;
import java.io.IOException;
import java.nio.file.Path;

/** Runs one artifact's install, import and execute phases in isolation and reports what it did. */
public interface Sandbox extends AutoCloseable {
    /** Whether a container engine is reachable and the sandbox can run at all. */
    boolean available();

    /**
     * Checks the engine again now, within a few seconds, and returns whether the sandbox can run. An
     * implementation without anything to re-check answers {@link #available()}.
     */
    default boolean recheck() {
        return available();
    }

    /** A one-line, human description of the engine state, for startup and the status view. */
    String status();

    /**
     * Installs and imports the artifact; blocks until both phases ended or hit their deadlines.
     *
     * @throws SandboxUnavailableException when the sandbox, not the package, failed (no engine, no image,
     *                                     the container or the init failed before the package ran): an
     *                                     infrastructure failure, retried later, never a verdict
     */
    BehaviorReport run(Path artifact, Ecosystem ecosystem) throws IOException, SandboxUnavailableException;

    /**
     * As {@link #run(Path, Ecosystem)} for an artifact stored under another name (the proxy's store
     * names files by digest): {@code fileName} is the name the registry gives it, which says whether
     * it is a wheel or an sdist and, for a wheel, its tags.
     */
    default BehaviorReport run(Path artifact, String fileName, Ecosystem ecosystem)
            throws IOException, SandboxUnavailableException {
        return run(artifact, ecosystem);
    }

    /**
     * As above, with the package's dependencies: {@code dependencies} is a directory of artifacts that
     * Airlock already holds as allowed (wheels, npm tarballs), offered read-only so that the import and
     * execute phases do not stop at the first missing import; never a network. Null for none. An
     * implementation that cannot offer them runs without.
     */
    default BehaviorReport run(Path artifact, String fileName, Ecosystem ecosystem, Path dependencies)
            throws IOException, SandboxUnavailableException {
        return run(artifact, fileName, ecosystem);
    }

    @Override
    default void close() {
    }
}
