package dev.airlock.policy.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.airlock.common.Json;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of stored values. JSON rather than Java serialization so that a schema change is
 * visible and migratable, and a record can be read by a person with a MapDB dump.
 */
public final class StoreJson {
    /** The shared configuration, plus coordinates stored as their {@code ecosystem:name@version} text. */
    public static final ObjectMapper MAPPER = Json.MAPPER.copy()
            .registerModule(new SimpleModule("airlock-store")
                    .addSerializer(PackageCoordinate.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(PackageCoordinate v, JsonGenerator g, SerializerProvider p) throws IOException {
                            g.writeString(v.toString());
                        }
                    })
                    .addDeserializer(PackageCoordinate.class, new JsonDeserializer<>() {
                        @Override
                        public PackageCoordinate deserialize(JsonParser p, DeserializationContext c) throws IOException {
                            return PackageCoordinate.parse(p.getValueAsString());
                        }
                    }));

    private StoreJson() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable stored " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
