package dev.airlock.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON mapper configuration: times as ISO-8601 strings (an API answer, a stored record
 * and a queue entry read the same), and unknown fields ignored when reading (registries, the
 * sandbox's output and older stored records may carry fields this version does not know).
 * Readers that must be strict (the configuration file) say so where they read.
 */
public final class Json {
    /** Shared by every module; safe to use from any thread, never to reconfigure. */
    public static final ObjectMapper MAPPER = newMapper(new JsonFactory());

    private Json() {
    }

    /** A mapper with the shared configuration over another format's factory (YAML for the configuration file). */
    public static ObjectMapper newMapper(JsonFactory factory) {
        return new ObjectMapper(factory)
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
