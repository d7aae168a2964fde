package dev.airlock.proxy.npm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where things are in an upstream packument's bytes: each top-level field, each version entry
 * (with its {@code dist}, tarball URL and attestations URL) and each {@code time} entry, as byte
 * offsets into the raw document. Recorded by the one streaming pass that indexes the copy, so the
 * full form can be rendered by copying the kept parts of the bytes and writing only what changes
 * (a 10 MB packument took a whole parse and re-generation per render before).
 *
 * <p>Spans run from the start of a key to the end of its value; {@code -1} means absent.
 */
final class PackumentLayout {
    /** A top-level field: its key starts at {@code start}, its value at {@code valueStart} and ends before {@code end}. */
    record Field(String name, int start, int valueStart, int end, boolean object) {
    }

    /**
     * One entry of {@code versions}. {@code close}: offset of the object's closing brace;
     * {@code dist*}: the dist value (its closing brace, whether it is an object and empty);
     * {@code tarball*} / {@code attestation*}: the value spans inside dist, with their text.
     */
    record VersionSpan(int start, int valueStart, int end, boolean object, boolean empty, int close,
                       int distStart, int distEnd, boolean distObject, boolean distEmpty, int distClose,
                       int tarballStart, int tarballEnd, String tarball,
                       int attestationStart, int attestationEnd, String attestation) {
    }

    /** One entry of {@code time}. */
    record TimeSpan(String key, int start, int end) {
    }

    final List<Field> fields = new ArrayList<>();
    final Map<String, VersionSpan> versions = new LinkedHashMap<>();
    final List<TimeSpan> time = new ArrayList<>();

    /** Byte offset where the current token starts; -1 when the parser does not count bytes. */
    static int start(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** Byte offset just after the current token (a scalar's text is read to its end first). */
    static int end(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
            return start(p) + 1;
        }
        p.finishToken();
        return (int) p.currentLocation().getByteOffset();
    }

    /**
     * Reads one version entry (the parser on its value's first token) and records it; {@code dist}
     * receives the dist's {@code integrity} and {@code shasum} text.
     */
    static VersionSpan version(JsonParser p, int start, Map<String, String> dist) throws IOException {
        int valueStart = start(p);
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new VersionSpan(start, valueStart, end(p), false, true, -1, -1, -1, false, true, -1, -1, -1, null,
                    -1, -1, null);
        }
        boolean empty = true;
        int distStart = -1;
        int distEnd = -1;
        boolean distObject = false;
        boolean distEmpty = true;
        int distClose = -1;
        int tarballStart = -1;
        int tarballEnd = -1;
        String tarball = null;
        int attStart = -1;
        int attEnd = -1;
        String att = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            empty = false;
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (!f.equals("dist")) {
                p.skipChildren();
                continue;
            }
            distStart = start(p);
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                distEnd = end(p);
                continue;
            }
            distObject = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                distEmpty = false;
                String d = p.currentName();
                JsonToken dt = p.nextToken();
                String text = dt == JsonToken.VALUE_STRING ? p.getText() : null;
                if (d.equals("tarball")) {
                    tarballStart = start(p);
                    p.skipChildren();
                    tarballEnd = end(p);
                    tarball = text;
                } else if (d.equals("attestations") && dt == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String a = p.currentName();
                        JsonToken at = p.nextToken();
                        if (a.equals("url") && at == JsonToken.VALUE_STRING) {
                            att = p.getText();
                            attStart = start(p);
                            attEnd = end(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    if (text != null && (d.equals("integrity") || d.equals("shasum"))) {
                        dist.put(d, text);
                    }
                    p.skipChildren();
                }
            }
            distClose = start(p);
            distEnd = distClose + 1;
        }
        int close = start(p);
        return new VersionSpan(start, valueStart, close + 1, true, empty, close, distStart, distEnd, distObject, distEmpty,
                distClose, tarballStart, tarballEnd, tarball, attStart, attEnd, att);
    }
}
