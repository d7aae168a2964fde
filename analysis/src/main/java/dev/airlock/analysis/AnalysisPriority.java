package dev.airlock.analysis;

/** Queue order: a person waiting beats a version just seen, which beats a background sweep. */
public enum AnalysisPriority {
    DOWNLOAD_WAITING,
    NEW_VERSION,
    BACKGROUND_SWEEP
}
