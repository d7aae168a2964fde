package dev.airlock.config;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where verified artifacts are kept besides the local disk cache ({@code artifacts.*}). Without
 * a URL the data directory is the only copy (one node); with {@code s3://bucket/prefix} every node
 * shares one content-addressed copy in S3-compatible object storage and keeps its data directory
 * as a cache it can send files from with zero-copy.
 *
 * @param url       null: local disk only; {@code s3://bucket[/prefix]}
 * @param endpoint  the S3 endpoint for a store other than AWS (MinIO, Ceph, s3proxy); null: AWS for the region
 * @param region    the signing region
 * @param pathStyle bucket in the path rather than the host name; default: on when an endpoint is set
 * @param accessKey access key id; null (with secretKey): the SDK's default credentials (environment, profile, role)
 * @param secretKey secret access key
 */
public record ArtifactsConfig(String url, URI endpoint, String region, Boolean pathStyle, String accessKey,
                              String secretKey) {
    /** S3 bucket naming rules (lower case, digits, dots and dashes, 3..63). */
    private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");

    public ArtifactsConfig {
        url = url == null || url.isBlank() ? null : url.strip();
        if (url != null) {
            if (!url.toLowerCase(Locale.ROOT).startsWith("s3://")) {
                throw new ConfigException("artifacts.url must be s3://bucket[/prefix] (or empty for the data directory), got '"
                        + url + "'");
            }
            String bucket = bucketOf(url);
            if (!BUCKET.matcher(bucket).matches()) {
                throw new ConfigException("artifacts.url: '" + bucket + "' is not a valid bucket name");
            }
        }
        if (endpoint != null && (endpoint.getScheme() == null || !endpoint.getScheme().startsWith("http")
                || endpoint.getHost() == null)) {
            throw new ConfigException("artifacts.endpoint must be an http(s) URL, got '" + endpoint + "'");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
        pathStyle = pathStyle == null ? endpoint != null : pathStyle;
        if ((accessKey == null) != (secretKey == null)) {
            throw new ConfigException("artifacts.accessKey and artifacts.secretKey go together: set both or neither");
        }
    }

    public static ArtifactsConfig defaults() {
        return new ArtifactsConfig(null, null, null, null, null, null);
    }

    public boolean shared() {
        return url != null;
    }

    public String bucket() {
        return url == null ? null : bucketOf(url);
    }

    /** The key prefix inside the bucket, empty or ending in {@code /}. */
    public String prefix() {
        if (url == null) {
            return "";
        }
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String p = slash < 0 ? "" : rest.substring(slash + 1);
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    private static String bucketOf(String url) {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }
}
