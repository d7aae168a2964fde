package dev.airlock.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities trusted for upstream TLS: the JDK's own plus those of a PEM bundle
 * ({@code upstream.caFile}), for a TLS-inspecting corporate proxy or a private mirror. Added to,
 * not replacing, the JDK's: the public registries keep working when the bundle holds only the
 * company's root.
 */
public final class UpstreamTrust {
    private UpstreamTrust() {
    }

    /** @throws IllegalArgumentException the file cannot be read or holds no certificate */
    public static SSLContext withBundle(Path caFile) {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (X509Certificate c : jdkDefault().getAcceptedIssuers()) {
                anchors.setCertificateEntry("jdk-" + n++, c);
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(caFile)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new IllegalArgumentException("upstream.caFile " + caFile + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : extra) {
                anchors.setCertificateEntry("bundle-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read upstream.caFile " + caFile + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("upstream.caFile " + caFile + " is not a PEM certificate bundle: "
                    + e.getMessage(), e);
        }
    }

    private static X509TrustManager jdkDefault() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK has no X.509 trust manager");
    }
}
