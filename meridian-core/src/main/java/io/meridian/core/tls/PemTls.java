package io.meridian.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CertSelector;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JDK {@link SSLContext}s from the PEM files operators already have for PostgreSQL and etcd: a
 * certificate chain with its PKCS#8 key ("BEGIN PRIVATE KEY", RSA or EC) for a server, root
 * certificates for a client. For the agent's REST API (the JDK's HTTPS server and client).
 */
public final class PemTls {

    private PemTls() {
    }

    /** A server context presenting {@code certificate} (PEM chain) with {@code privateKey}. */
    public static SSLContext server(Path certificate, Path privateKey) throws IOException {
        try {
            Collection<? extends Certificate> chain = certificates(certificate);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("server", key(privateKey), none, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificate + " with " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * An HTTP client builder for the agents' REST APIs: trusting {@code tls}'s authority when it
     * names one (else the JVM's roots), plain builder without TLS. Host names are checked.
     */
    public static java.net.http.HttpClient.Builder restClient(io.meridian.core.config.NodeConfig.RestTls tls) {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder();
        if (tls != null && tls.caFile() != null) {
            try {
                b.sslContext(client(tls.caFile()));
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return b;
    }

    /** A client context trusting only the certificates in {@code roots} (PEM). */
    public static SSLContext client(Path roots) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust(roots, null).getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + roots + " as root certificates: " + e.getMessage(), e);
        }
    }

    /**
     * A client context presenting {@code certificate} with {@code privateKey} (etcd's
     * {@code --client-cert-auth}) and trusting {@code roots}, or the JVM's roots when null.
     */
    public static SSLContext client(Path certificate, Path privateKey, Path roots) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("client", key(privateKey), none, certificates(certificate).toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            ctx.init(kmf.getKeyManagers(), roots == null ? null : trust(roots, null).getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificate + " with " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trust in the certificates in {@code roots} (PEM) only. With {@code revoked} (see
     * {@link #revocationLists}) a certificate is also checked against those lists and nothing else
     * (no OCSP, no download), as libpq does with {@code sslcrl}: one a list names is refused, and so
     * is one whose issuer has no list there, or only an expired one.
     */
    public static TrustManagerFactory trust(Path roots, Collection<? extends CRL> revoked) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certificates(roots)) {
                ks.setCertificateEntry("root-" + i++, c);
            }
            if (revoked == null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                return tmf;
            }
            PKIXBuilderParameters params = new PKIXBuilderParameters(ks, new X509CertSelector());
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(revoked)));
            PKIXRevocationChecker checker = (PKIXRevocationChecker) CertPathBuilder.getInstance("PKIX").getRevocationChecker();
            checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
            params.addCertPathChecker(checker);
            params.setRevocationEnabled(true);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(params));
            return tmf;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + roots + " as root certificates: " + e.getMessage(), e);
        }
    }

    /** The certificate revocation lists in {@code pem} (one or more "BEGIN X509 CRL" blocks). */
    public static Collection<? extends CRL> revocationLists(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends CRL> all = CertificateFactory.getInstance("X.509").generateCRLs(in);
            if (all.isEmpty()) {
                throw new IOException(pem + " holds no certificate revocation list (PEM \"BEGIN X509 CRL\")");
            }
            return all;
        } catch (GeneralSecurityException e) {
            throw new IOException("expected certificate revocation lists (PEM) in " + pem + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (all.isEmpty()) {
                throw new IOException(pem + " holds no PEM certificate");
            }
            return all;
        }
    }

    private static PrivateKey key(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(pem + ": expected a PKCS#8 key (\"BEGIN PRIVATE KEY\"); convert one with "
                    + "openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
