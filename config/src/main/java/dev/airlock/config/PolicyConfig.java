package dev.airlock.config;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The policy section ({@code policy.*} in YAML). Every field may be absent: the compact
 * constructor supplies the documented default.
 *
 * @param mode          {@code enforce} (default) or {@code audit}: audit serves everything but records what enforce would block
 * @param holdNewerThan versions published less than this long ago wait for analysis; {@code always} makes every never-seen version wait
 * @param holdWait      how long a direct download of a held version waits for its analysis before a 403
 * @param minimumAge    cooldown: younger versions are hidden whatever the analysis says (null: off)
 * @param internal      names that must never come from the public registry
 * @param feedsDir      directory of OSV records imported at startup and on change (null: none)
 * @param staticCheckWait how long the first download of an older version waits for its static check
 *                      before a 403 (default 30 s: a cold install asks for dozens of files at once, and
 *                      a client that gives up first retries and is served from the recorded result)
 * @param holdPublishedAfter outbreak hold ("the line in the sand"): every version published after this moment
 *                      is held whatever the analysis says, until an admin lets it through (null: off)
 */
public record PolicyConfig(String mode, String holdNewerThan, Duration holdWait, Duration minimumAge,
                           Internal internal, List<Rule> deny, List<Rule> allow, Typosquat typosquat,
                           String feedsDir, Duration staticCheckWait, Instant holdPublishedAfter) {
    public PolicyConfig {
        mode = mode == null ? "enforce" : mode;
        if (!mode.equals("enforce") && !mode.equals("audit")) {
            throw new ConfigException("policy.mode must be enforce or audit, got '" + mode + "'");
        }
        holdNewerThan = holdNewerThan == null ? "14d" : holdNewerThan;
        if (!holdNewerThan.equals("always")) {
            Durations.parse(holdNewerThan);
        }
        holdWait = holdWait == null ? Duration.ofSeconds(10) : holdWait;
        internal = internal == null ? new Internal(null, null) : internal;
        deny = deny == null ? List.of() : List.copyOf(deny);
        allow = allow == null ? List.of() : List.copyOf(allow);
        typosquat = typosquat == null ? new Typosquat(null, null) : typosquat;
        staticCheckWait = staticCheckWait == null ? Duration.ofSeconds(30) : staticCheckWait;
    }

    /** Without the outbreak hold. */
    public PolicyConfig(String mode, String holdNewerThan, Duration holdWait, Duration minimumAge, Internal internal,
                        List<Rule> deny, List<Rule> allow, Typosquat typosquat, String feedsDir, Duration staticCheckWait) {
        this(mode, holdNewerThan, holdWait, minimumAge, internal, deny, allow, typosquat, feedsDir, staticCheckWait, null);
    }

    /** Without {@code staticCheckWait}: the static check waits {@code holdWait}, as before the key existed. */
    public PolicyConfig(String mode, String holdNewerThan, Duration holdWait, Duration minimumAge, Internal internal,
                        List<Rule> deny, List<Rule> allow, Typosquat typosquat, String feedsDir) {
        this(mode, holdNewerThan, holdWait, minimumAge, internal, deny, allow, typosquat, feedsDir,
                holdWait == null ? Duration.ofSeconds(10) : holdWait, null);
    }

    public static PolicyConfig defaults() {
        return new PolicyConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean holdAlways() {
        return holdNewerThan.equals("always");
    }

    /** The hold window; only meaningful when {@link #holdAlways()} is false. */
    public Duration holdWindow() {
        return holdAlways() ? Duration.ofDays(365_000) : Durations.parse(holdNewerThan);
    }

    /** @param npmScopes npm scopes such as {@code @acme}; @param names glob patterns per ecosystem id */
    public record Internal(List<String> npmScopes, Map<String, List<String>> names) {
        public Internal {
            npmScopes = npmScopes == null ? List.of() : List.copyOf(npmScopes);
            names = names == null ? Map.of() : Map.copyOf(names);
        }
    }

    /**
     * A deny or allow list entry.
     *
     * @param ecosystem {@code npm} or {@code pypi}
     * @param name      glob pattern over the normalised name
     * @param versions  npm semver range or PEP 440 specifier; null means every version
     * @param reason    shown to users when the entry blocks
     */
    public record Rule(String ecosystem, String name, String versions, String reason) {
    }

    /** @param enabled on by default; @param maxDistance largest edit distance counted as a look-alike */
    public record Typosquat(Boolean enabled, Integer maxDistance) {
        public Typosquat {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            maxDistance = maxDistance == null ? 1 : maxDistance;
        }
    }
}
