package dev.airlock.analysis;

/**
 * One reason the analysis gives.
 *
 * @param rule     stable snake_case id of the rule, e.g. {@code install_script_network}
 * @param severity {@code info}, {@code low}, {@code medium}, {@code high} or {@code critical}
 * @param source   {@code static}, {@code dynamic}, {@code metadata} or {@code policy}
 * @param message  one human sentence
 * @param evidence a short snippet or the difference that proves it
 * @param location {@code path:line} inside the artifact, or null
 */
public record Finding(String rule, String severity, String source, String message, String evidence,
                      String location) {
}
