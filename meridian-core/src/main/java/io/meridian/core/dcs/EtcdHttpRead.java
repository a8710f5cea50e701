package io.meridian.core.dcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.tls.PemTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * One linearizable range read of a cluster through etcd's JSON gateway ({@code POST /v3/kv/range}
 * on the client port), with the JDK's {@link HttpURLConnection}. A one-shot command ({@code meridian list}) thus
 * answers without loading gRPC, Netty and Vert.x, which cost a fresh JVM more than the read itself;
 * the same {@link ClusterCodec} decodes the keys, so the record is the one {@link EtcdDcs#load()}
 * returns. Every endpoint is asked at once and the first full answer wins: a member cut off from
 * its quorum cannot answer a linearizable read.
 */
public final class EtcdHttpRead {

    private EtcdHttpRead() {
    }

    /**
     * Reads {@code <namespace>/<cluster>/} at one revision.
     *
     * @param tls as for {@link EtcdDcs#connect}: an authority and maybe a client certificate, or null
     * @throws DcsException when no endpoint answered within {@code timeout}, naming each one's reason
     */
    public static Cluster load(List<String> endpoints, String namespace, String cluster, EtcdTls tls, Duration timeout)
            throws DcsException {
        EtcdKeys keys = new EtcdKeys(namespace, cluster);
        SSLSocketFactory tlsSockets = sockets(EtcdTls.forEndpoints(endpoints, tls));
        byte[] prefix = keys.prefix().getBytes(StandardCharsets.UTF_8);
        byte[] body = ("{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(rangeEnd(prefix)) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Cluster> first = new CompletableFuture<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(endpoints.size());
        for (String ep : endpoints) {
            Thread t = new Thread(() -> {
                try {
                    first.complete(decode(cluster, keys, post(ep, body, tlsSockets, timeout)));
                } catch (IOException | RuntimeException e) {
                    failures.add(ep + ": " + e.getMessage());
                    if (left.decrementAndGet() == 0) {
                        first.completeExceptionally(new DcsException(String.join("; ", failures), e));
                    }
                }
            }, "meridian-etcd-read");
            t.setDaemon(true);
            t.start();
        }
        try {
            return first.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof DcsException d ? d : new DcsException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new DcsException("no etcd endpoint answered in " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DcsException("interrupted while reading etcd", e);
        }
    }

    /** The range response as jetcd's key-values, decoded like any other read. */
    static Cluster decode(String cluster, EtcdKeys keys, byte[] json) throws IOException {
        JsonNode root = ClusterCodec.JSON.readTree(json);
        long revision = root.path("header").path("revision").asLong();
        List<KeyValue> kvs = new ArrayList<>();
        for (JsonNode kv : root.path("kvs")) {
            io.etcd.jetcd.api.KeyValue proto = io.etcd.jetcd.api.KeyValue.newBuilder()
                    .setKey(ByteString.copyFrom(Base64.getDecoder().decode(kv.path("key").asText())))
                    .setValue(ByteString.copyFrom(Base64.getDecoder().decode(kv.path("value").asText(""))))
                    .setCreateRevision(kv.path("create_revision").asLong())
                    .setModRevision(kv.path("mod_revision").asLong())
                    .setVersion(kv.path("version").asLong())
                    .setLease(kv.path("lease").asLong())
                    .build();
            kvs.add(new KeyValue(proto, ByteSequence.EMPTY));
        }
        return ClusterCodec.decode(cluster, keys, revision, kvs);
    }

    /**
     * One POST with the JDK's {@link HttpURLConnection}: lighter to start than its HttpClient, which
     * sets up TLS and a selector thread even for plain HTTP.
     */
    private static byte[] post(String endpoint, byte[] body, SSLSocketFactory tlsSockets, Duration timeout)
            throws IOException {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/v3/kv/range").toURL().openConnection();
        try {
            if (c instanceof HttpsURLConnection https && tlsSockets != null) {
                https.setSSLSocketFactory(tlsSockets);
            }
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            if (status != 200) {
                InputStream err = c.getErrorStream();
                throw new IOException("HTTP " + status + " " + (err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8).strip()));
            }
            try (InputStream in = c.getInputStream()) {
                return in.readAllBytes();
            }
        } finally {
            c.disconnect();
        }
    }

    /** Sockets speaking {@code tls}; null for plain text. */
    private static SSLSocketFactory sockets(EtcdTls tls) throws DcsException {
        if (tls == null) {
            return null;
        }
        try {
            SSLContext ctx = tls.certificate() != null
                    ? PemTls.client(tls.certificate(), tls.privateKey(), tls.caFile())
                    : tls.caFile() != null ? PemTls.client(tls.caFile()) : SSLContext.getDefault();
            return ctx.getSocketFactory();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new DcsException("etcd TLS files cannot be used: " + e.getMessage(), e);
        }
    }

    /** etcd's prefix range end: the prefix with its last byte incremented. */
    static byte[] rangeEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0};
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
