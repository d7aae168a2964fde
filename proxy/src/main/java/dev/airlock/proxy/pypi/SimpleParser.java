package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.common.Json;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/** Reads an upstream project page, PEP 691 JSON or PEP 503 HTML, into a {@link SimpleProject}. */
public final class SimpleParser {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Pattern HASH_FRAGMENT = Pattern.compile("^([a-z0-9_]+)=([0-9a-fA-F]+)$");

    private SimpleParser() {
    }

    public static SimpleProject parse(byte[] body, String contentType, URI page, String normalisedName)
            throws MalformedMetadataException {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.contains("json")) {
            return parseJson(body, page, normalisedName);
        }
        if (ct.isEmpty() || ct.contains("html")) {
            return parseHtml(new String(body, java.nio.charset.StandardCharsets.UTF_8), page, normalisedName);
        }
        throw new MalformedMetadataException("unexpected content type '" + contentType + "' for a project page");
    }

    static SimpleProject parseJson(byte[] body, URI page, String normalisedName) throws MalformedMetadataException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (Exception e) {
            throw new MalformedMetadataException("project page is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("files").isArray()) {
            throw new MalformedMetadataException("project page JSON has no 'files' array");
        }
        List<ObjectNode> files = new ArrayList<>();
        for (JsonNode f : root.path("files")) {
            if (!f.isObject() || !f.path("filename").isTextual() || !f.path("url").isTextual()) {
                throw new MalformedMetadataException("file entry without filename or url");
            }
            ObjectNode copy = ((ObjectNode) f).deepCopy();
            copy.put("url", resolve(page, f.path("url").asText()).toString());
            resolveProvenance(copy, page);
            if (!copy.path("hashes").isObject()) {
                copy.set("hashes", JSON.createObjectNode());
            }
            files.add(copy);
        }
        List<String> versions = new ArrayList<>();
        root.path("versions").forEach(v -> versions.add(v.asText()));
        ObjectNode top = ((ObjectNode) root).deepCopy();
        top.remove("files");
        top.remove("versions");
        String name = root.path("name").asText(normalisedName);
        return new SimpleProject(name, files, versions, top, page);
    }

    /**
     * PEP 503 HTML through a real HTML parser: attribute values may hold a raw {@code >} or
     * {@code <} (other indexes emit {@code data-requires-python=">=3.8"} unescaped), entities
     * are decoded by the parser, and a stray tag cannot swallow the next link.
     */
    static SimpleProject parseHtml(String html, URI page, String normalisedName) throws MalformedMetadataException {
        String lower = html.toLowerCase(Locale.ROOT);
        if (!lower.contains("<html") && !lower.contains("<a")) {
            throw new MalformedMetadataException("project page is neither HTML nor JSON");
        }
        Document doc = Jsoup.parse(html, page.toString());
        List<ObjectNode> files = new ArrayList<>();
        for (Element a : doc.getElementsByTag("a")) {
            if (!a.hasAttr("href")) {
                continue;
            }
            ObjectNode f = fileOf(a);
            resolveProvenance(f, page);
            URI url = resolve(page, a.attr("href"));
            ObjectNode hashes = JSON.createObjectNode();
            String fragment = url.getRawFragment();
            if (fragment != null) {
                Matcher h = HASH_FRAGMENT.matcher(fragment);
                if (h.matches()) {
                    hashes.put(h.group(1), h.group(2).toLowerCase(Locale.ROOT));
                }
            }
            URI noFragment;
            try {
                noFragment = new URI(url.getScheme(), url.getRawAuthority() == null ? null : url.getAuthority(), url.getPath(), url.getQuery(), null);
            } catch (java.net.URISyntaxException e) {
                continue;
            }
            String path = noFragment.getPath();
            f.put("filename", path.substring(path.lastIndexOf('/') + 1));
            f.put("url", noFragment.toString());
            f.set("hashes", hashes);
            files.add(f);
        }
        ObjectNode top = JSON.createObjectNode();
        ObjectNode status = projectStatus(doc);
        if (status != null) {
            top.set("project-status", status);
        }
        return new SimpleProject(normalisedName, files, List.of(), top, page);
    }

    /** PEP 740 allows a provenance URL relative to the page; the route needs it absolute. An unusable one is dropped. */
    private static void resolveProvenance(ObjectNode f, URI page) {
        if (f.path("provenance").isTextual()) {
            try {
                f.put("provenance", resolve(page, f.path("provenance").asText()).toString());
            } catch (MalformedMetadataException e) {
                f.putNull("provenance");
            }
        }
    }

    /** The PEP 691 keys a link's {@code data-*} attributes stand for. */
    private static ObjectNode fileOf(Element a) {
        ObjectNode f = JSON.createObjectNode();
        if (a.hasAttr("data-requires-python")) {
            f.put("requires-python", a.attr("data-requires-python"));
        }
        if (a.hasAttr("data-yanked")) {
            String reason = a.attr("data-yanked");
            if (reason.isEmpty()) {
                f.put("yanked", true);
            } else {
                f.put("yanked", reason);
            }
        }
        // PEP 714: the new name wins; the legacy one is read only when the new one is absent.
        if (a.hasAttr("data-core-metadata")) {
            f.set("core-metadata", metadataValue(a.attr("data-core-metadata")));
        } else if (a.hasAttr("data-dist-info-metadata")) {
            f.set("core-metadata", metadataValue(a.attr("data-dist-info-metadata")));
        }
        if (a.hasAttr("data-provenance") && !a.attr("data-provenance").isBlank()) {
            f.put("provenance", a.attr("data-provenance"));
        }
        return f;
    }

    /** PEP 792 {@code <meta name="pypi:project-status">} (and its reason) as the JSON form's object; null when absent. */
    private static ObjectNode projectStatus(Document doc) {
        String status = null;
        String reason = null;
        for (Element m : doc.getElementsByTag("meta")) {
            String name = m.attr("name").toLowerCase(Locale.ROOT);
            if (name.equals("pypi:project-status") && status == null) {
                status = m.attr("content").trim().toLowerCase(Locale.ROOT);
            } else if (name.equals("pypi:project-status-reason") && reason == null) {
                reason = m.attr("content");
            }
        }
        if (status == null || status.isEmpty()) {
            return null;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("status", status);
        if (reason != null && !reason.isEmpty()) {
            o.put("reason", reason);
        }
        return o;
    }

    private static JsonNode metadataValue(String value) {
        if (value == null || value.equalsIgnoreCase("true") || value.isEmpty()) {
            return JSON.getNodeFactory().booleanNode(true);
        }
        ObjectNode o = JSON.createObjectNode();
        Matcher h = HASH_FRAGMENT.matcher(value);
        if (h.matches()) {
            o.put(h.group(1), h.group(2).toLowerCase(Locale.ROOT));
            return o;
        }
        return JSON.getNodeFactory().booleanNode(true);
    }

    static URI resolve(URI page, String href) throws MalformedMetadataException {
        try {
            return page.resolve(new URI(href.replace(" ", "%20")));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new MalformedMetadataException("invalid file URL '" + href + "'", e);
        }
    }
}
