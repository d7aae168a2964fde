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

/** Reads an upstream project page, PEP 691 JSON or PEP 503 HTML, into a {@link SimpleProject}. */
public final class SimpleParser {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Pattern ANCHOR = Pattern.compile("<a\\s+([^>]*)>(.*?)</a\\s*>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ATTR = Pattern.compile(
            "([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+)))?");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos);");
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

    static SimpleProject parseHtml(String html, URI page, String normalisedName) throws MalformedMetadataException {
        if (!html.toLowerCase(Locale.ROOT).contains("<html") && !html.toLowerCase(Locale.ROOT).contains("<a")) {
            throw new MalformedMetadataException("project page is neither HTML nor JSON");
        }
        List<ObjectNode> files = new ArrayList<>();
        Matcher a = ANCHOR.matcher(html);
        while (a.find()) {
            ObjectNode f = JSON.createObjectNode();
            ObjectNode hashes = JSON.createObjectNode();
            String href = null;
            Matcher m = ATTR.matcher(a.group(1));
            while (m.find()) {
                String key = m.group(1).toLowerCase(Locale.ROOT);
                String raw = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
                String value = raw == null ? null : unescape(raw);
                switch (key) {
                    case "href":
                        href = value;
                        break;
                    case "data-requires-python":
                        if (value != null) {
                            f.put("requires-python", value);
                        }
                        break;
                    case "data-yanked":
                        if (value == null || value.isEmpty()) {
                            f.put("yanked", true);
                        } else {
                            f.put("yanked", value);
                        }
                        break;
                    case "data-core-metadata":
                    case "data-dist-info-metadata":
                        if (!f.has("core-metadata")) {
                            f.set("core-metadata", metadataValue(value));
                        }
                        break;
                    default:
                        break;
                }
            }
            if (href == null) {
                continue;
            }
            URI url = resolve(page, href);
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
            String filename = path.substring(path.lastIndexOf('/') + 1);
            f.put("filename", filename);
            f.put("url", noFragment.toString());
            f.set("hashes", hashes);
            files.add(f);
        }
        return new SimpleProject(normalisedName, files, List.of(), JSON.createObjectNode(), page);
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

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String r;
            if (e.startsWith("#x") || e.startsWith("#X")) {
                r = new String(Character.toChars(Integer.parseInt(e.substring(2), 16)));
            } else if (e.startsWith("#")) {
                r = new String(Character.toChars(Integer.parseInt(e.substring(1))));
            } else {
                r = switch (e) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    default -> "'";
                };
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(r));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
