package dev.airlock.proxy.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made up for one test run, and the server certificates it signs: nothing
 * of this machine's trust store, and nothing kept in the repository.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final KeyPair keys;
    private final X509Certificate cert;
    private final X500Name name;

    private TestCa(KeyPair keys, X509Certificate cert, X500Name name) {
        this.keys = keys;
        this.cert = cert;
        this.name = name;
    }

    /** One leaf: its PEM files and the objects, for servers made in-process. */
    public record Leaf(Path certFile, Path keyFile, X509Certificate cert, KeyPair keys) {
        public BigInteger serial() {
            return cert.getSerialNumber();
        }
    }

    public static TestCa create(String commonName) throws GeneralSecurityException {
        try {
            KeyPair kp = ecKeys();
            X500Name n = new X500Name("CN=" + commonName);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(n, nextSerial(), notBefore(), notAfter(), n,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCa(kp, sign(b, kp), n);
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public X509Certificate cert() {
        return cert;
    }

    /** The CA certificate as a PEM file: what npm's {@code cafile}, pip's {@code --cert} and {@code upstream.caFile} take. */
    public Path writeCaPem(Path file) throws IOException {
        Files.writeString(file, pem(cert));
        return file;
    }

    /** A server certificate for these DNS names and IP addresses, written as PEM chain and PKCS#8 key into {@code dir}. */
    public Leaf issue(Path dir, String prefix, String... names) throws GeneralSecurityException, IOException {
        try {
            KeyPair kp = ecKeys();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, nextSerial(), notBefore(), notAfter(),
                    new X500Name("CN=" + names[0]), kp.getPublic());
            List<GeneralName> alt = new ArrayList<>();
            for (String n : names) {
                alt.add(n.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate leaf = sign(b, keys);
            Path certFile = dir.resolve(prefix + ".crt");
            Path keyFile = dir.resolve(prefix + ".key");
            Files.writeString(certFile, pem(leaf) + pem(cert));
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
            }
            Files.writeString(keyFile, w.toString());
            return new Leaf(certFile, keyFile, leaf, kp);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A client-side context that trusts only this CA. */
    public SSLContext clientContext() throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A server-side context presenting this leaf (for JDK test servers standing in for an upstream). */
    public SSLContext serverContext(Leaf leaf) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {leaf.cert(), cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer)
            throws org.bouncycastle.operator.OperatorCreationException, GeneralSecurityException {
        ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(s));
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(2)));
    }

    private static String pem(X509Certificate c) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(c);
        }
        return w.toString();
    }
}
