package dev.airlock.analysis;

/** What the analysis recommends for one version. Policy maps it to a verdict state. */
public enum Recommendation {
    /** Nothing worrying: serve ({@code allow}). */
    CLEAN("allow"),
    /** Worth a person's review: quarantine ({@code quarantine}). */
    SUSPICIOUS("quarantine"),
    /** A capability plus a threat, or a dynamic proof: block ({@code block}). */
    MALICIOUS("block");

    private final String verdict;

    Recommendation(String verdict) {
        this.verdict = verdict;
    }

    /** The word {@code bin/airlock analyze --json} prints as {@code verdict}. */
    public String verdict() {
        return verdict;
    }
}
