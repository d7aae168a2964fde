package dev.airlock.sandbox;

/**
 * What the last probe of the engine found.
 *
 * @param reachable whether the engine answered
 * @param version   the engine's version and API version, when reachable
 * @param runtimes  the runtimes the engine has registered (e.g. {@code runc runsc})
 * @param runtime   the runtime containers run on (what {@code auto} resolved to), null when unusable
 * @param warning   what the operator should know although the sandbox runs, null when nothing
 * @param cause     the {@link SandboxUnavailableException} code of the problem, null when usable
 * @param problem   why the sandbox cannot run, null when it can
 */
record EngineStatus(boolean reachable, String version, String runtimes, String runtime, String warning, String cause,
                    String problem) {
    static EngineStatus unreachable(String problem) {
        return new EngineStatus(false, null, null, null, null, SandboxUnavailableException.ENGINE_UNREACHABLE, problem);
    }

    boolean usable() {
        return problem == null;
    }
}
