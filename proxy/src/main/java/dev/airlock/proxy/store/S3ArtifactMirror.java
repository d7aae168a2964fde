package dev.airlock.proxy.store;

import dev.airlock.common.Hashes;
import dev.airlock.config.ArtifactsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Artifacts in an S3-compatible bucket ({@code artifacts.url: s3://bucket/prefix}), content-
 * addressed like the local store: {@code <prefix>sha256/ab/cd/<hex>} for the bytes and
 * {@code <prefix>refs/<sha256 of the ref key>} holding {@code "<hex> <size>"}. Every upload carries
 * its MD5 ({@code Content-MD5}, which the store checks) and the returned ETag is compared with it,
 * so a blob the store accepted is the one that was verified here.
 */
public final class S3ArtifactMirror implements ArtifactMirror, AutoCloseable {
    private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");
    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    private S3ArtifactMirror(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    public static S3ArtifactMirror open(ArtifactsConfig config) {
        var b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // Content-MD5 is checked instead: not every S3-compatible store takes the newer checksum headers.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(config.accessKey() != null
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()))
                        : DefaultCredentialsProvider.builder().build());
        if (config.endpoint() != null) {
            b.endpointOverride(config.endpoint());
        }
        return new S3ArtifactMirror(b.build(), config.bucket(), config.prefix());
    }

    /** Fails with a clear message when the bucket cannot be reached (checked once at start). */
    public void check() throws IOException {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (SdkException e) {
            throw new IOException("artifacts bucket " + bucket + " is not reachable: " + e.getMessage(), e);
        }
    }

    private String blobKey(String hex) {
        return prefix + "sha256/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex;
    }

    private String refKey(String refKey) {
        return prefix + "refs/" + Hashes.sha256Hex(refKey);
    }

    @Override
    public Optional<Ref> ref(String refKey) throws IOException {
        try {
            String text = s3.getObjectAsBytes(r -> r.bucket(bucket).key(refKey(refKey))).asString(StandardCharsets.US_ASCII);
            String[] parts = text.trim().split("\\s+");
            if (parts.length != 2 || !HEX64.matcher(parts[0]).matches()) {
                return Optional.empty(); // a damaged ref is worth an upstream fetch, never a wrong file
            }
            return Optional.of(new Ref(parts[0], Long.parseLong(parts[1])));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException | NumberFormatException e) {
            throw new IOException("artifacts bucket: reading a ref failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean copy(String sha256, OutputStream out) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(blobKey(sha256)))) {
            in.transferTo(out);
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (SdkException e) {
            throw new IOException("artifacts bucket: reading " + sha256 + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String refKey, String sha256, long size, Path file) throws IOException {
        try {
            if (!exists(blobKey(sha256))) {
                byte[] md5 = md5(file);
                PutObjectResponse r = s3.putObject(p -> p.bucket(bucket).key(blobKey(sha256)).contentLength(size)
                        .contentMD5(Base64.getEncoder().encodeToString(md5)), RequestBody.fromFile(file));
                String etag = r.eTag() == null ? "" : r.eTag().replace("\"", "").toLowerCase(Locale.ROOT);
                if (etag.length() == 32 && !etag.equals(HexFormat.of().formatHex(md5))) {
                    throw new IOException("artifacts bucket stored other bytes for " + sha256 + " (ETag " + etag + ")");
                }
            }
            byte[] ref = (sha256 + " " + size + "\n").getBytes(StandardCharsets.US_ASCII);
            s3.putObject(p -> p.bucket(bucket).key(refKey(refKey)).contentLength((long) ref.length)
                    .contentMD5(Base64.getEncoder().encodeToString(Hashes.digest("MD5").digest(ref))), RequestBody.fromBytes(ref));
        } catch (SdkException e) {
            throw new IOException("artifacts bucket: storing " + sha256 + " failed: " + e.getMessage(), e);
        }
    }

    private boolean exists(String key) {
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static byte[] md5(Path file) throws IOException {
        MessageDigest md = Hashes.digest("MD5");
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    @Override
    public void close() {
        s3.close();
    }
}
