package dev.airlock.sandbox;

/** Names of the locally built sandbox image. */
final class SandboxImage {
    static final String REPOSITORY = "airlock-sandbox";

    private SandboxImage() {
    }

    static String version() {
        String v = SandboxImage.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    static String defaultTag() {
        return REPOSITORY + ":" + version();
    }
}
