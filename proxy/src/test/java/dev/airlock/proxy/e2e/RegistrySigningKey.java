package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * The fake upstream's registry signing key: a test ECDSA P-256 key made once per JVM. It signs
 * {@code <name>@<version>:<integrity>} the way npm's registry does, and publishes the public key
 * in the {@code /-/npm/v1/keys} format ({@code keyid}, base64 SPKI {@code key}), so
 * {@code npm audit signatures} can verify what Airlock passes through.
 */
final class RegistrySigningKey {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair KEYS = generate();
    static final String KEY_ID = "SHA256:" + Base64.getEncoder().withoutPadding()
            .encodeToString(Digests.digest("SHA-256", KEYS.getPublic().getEncoded()));

    private RegistrySigningKey() {
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64 of the DER ECDSA signature, as in {@code dist.signatures[].sig}. */
    static String sign(String name, String version, String integrity) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(KEYS.getPrivate());
            s.update((name + "@" + version + ":" + integrity).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code /-/npm/v1/keys} document. */
    static byte[] keysDocument() {
        ObjectNode doc = JSON.createObjectNode();
        ObjectNode key = doc.putArray("keys").addObject();
        key.putNull("expires");
        key.put("keyid", KEY_ID);
        key.put("keytype", "ecdsa-sha2-nistp256");
        key.put("scheme", "ecdsa-sha2-nistp256");
        key.put("key", Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()));
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
