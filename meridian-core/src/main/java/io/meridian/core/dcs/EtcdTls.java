package io.meridian.core.dcs;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS towards etcd ({@code https://} endpoints), as etcd's own {@code --cacert}, {@code --cert}
 * and {@code --key}: the authority etcd's certificates chain to (null: the JVM's trusted roots),
 * and a client certificate with its PKCS#8 PEM key when etcd asks for one
 * ({@code --client-cert-auth}). etcd's certificate must name the host of the endpoint.
 *
 * @param caFile      PEM root certificate(s), or null
 * @param certificate PEM client certificate, or null (then {@code privateKey} is null too)
 * @param privateKey  its key, PKCS#8 PEM ("BEGIN PRIVATE KEY"), or null
 */
public record EtcdTls(Path caFile, Path certificate, Path privateKey) {

    public EtcdTls {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException("an etcd client certificate needs its private key, and the other way round");
        }
    }

    /**
     * What clients of {@code endpoints} use: {@code configured}, or, for {@code https://} endpoints
     * without settings, TLS verified against the JVM's trusted roots; null for plain text.
     */
    public static EtcdTls forEndpoints(java.util.List<String> endpoints, EtcdTls configured) {
        if (configured != null) {
            return configured;
        }
        return endpoints.stream().anyMatch(e -> e.startsWith("https://")) ? new EtcdTls(null, null, null) : null;
    }

    /** {@code builder} speaking TLS with these files (for clients built outside {@link EtcdDcs}). */
    public io.etcd.jetcd.ClientBuilder applyTo(io.etcd.jetcd.ClientBuilder builder) {
        return builder.sslContext(sslContext());
    }

    /** The gRPC client context; fails naming the file that could not be read. */
    SslContext sslContext() {
        try {
            SslContextBuilder b = GrpcSslContexts.forClient();
            if (caFile != null) {
                b.trustManager(caFile.toFile());
            }
            if (certificate != null) {
                b.keyManager(certificate.toFile(), privateKey.toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("etcd TLS files (" + (caFile == null ? "" : "ca " + caFile)
                    + (certificate == null ? "" : ", certificate " + certificate + ", key " + privateKey)
                    + ") cannot be used: " + e.getMessage(), e);
        }
    }
}
