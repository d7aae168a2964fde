package dev.airlock.policy;

/** How far the analysis of a version got. */
public enum AnalysisStage {
    /** Nothing analysed yet. */
    NONE,
    /** The static check ran on first download of an older version; the full run is queued. */
    STATIC,
    /** The analysis queue delivered its result (static plus sandbox when available). */
    FULL
}
