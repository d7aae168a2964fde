package dev.airlock.sandbox;

/**
 * What {@link DockerSandbox#create} found when it probed the engine.
 *
 * @param reachable whether the engine answered
 * @param version   the engine's version and API version, when reachable
 * @param runtimes  the runtimes the engine has registered (e.g. {@code runc runsc})
 * @param problem   why the sandbox cannot run, null when it can
 */
record EngineStatus(boolean reachable, String version, String runtimes, String problem) {
    static EngineStatus unreachable(String problem) {
        return new EngineStatus(false, null, null, problem);
    }

    boolean usable() {
        return problem == null;
    }
}
