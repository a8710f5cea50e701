package io.meridian.testkit;

import io.etcd.jetcd.Client;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.dcs.EtcdDcs;
import io.meridian.core.dcs.EtcdTls;
import io.meridian.lab.process.EtcdServer;
import io.meridian.lab.process.FreePorts;
import io.meridian.lab.tls.LocalAuthority;
import io.meridian.lab.wan.LinkRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real etcd for a test class: {@code @RegisterExtension static EtcdExtension etcd = new EtcdExtension();}
 * starts one member before all tests and removes it and its folder after; registered on an
 * instance field it does the same around each test. {@link #cluster(int)} starts a static
 * multi-member cluster instead (members {@code etcd1..etcdN}), for tests that kill a member.
 * {@link #withTls()} serves clients over TLS with client certificates from an authority made for
 * the run, and {@link #withPeerRelays()} routes the members' peer traffic through relays a test
 * can cut: the special set-ups tests used to build by hand with {@code EtcdServer}.
 *
 * <p>Files live under {@code /tmp/meridian-etcd-*} and are deleted afterwards; a member's log
 * stays there until then, and its path is named in any start-up failure.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final int size;
    private boolean tls;
    private boolean peerRelays;
    private Path dir;
    private List<EtcdServer> members = List.of();
    private List<LinkRelay> peerLinks = List.of();
    private LocalAuthority authority;
    private Client client;
    private boolean perClass;
    private int classDepth;

    /** One etcd member. */
    public EtcdExtension() {
        this(1);
    }

    private EtcdExtension(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("an etcd cluster needs at least one member, got " + size);
        }
        this.size = size;
    }

    /** A static cluster of {@code size} members on loopback. */
    public static EtcdExtension cluster(int size) {
        return new EtcdExtension(size);
    }

    /**
     * Clients reach etcd over TLS only, with a certificate from {@link #authority()}
     * ({@code --client-cert-auth}); members talk TLS to each other too. {@link #clientTls()} is a
     * client certificate for tests that need no other.
     */
    public EtcdExtension withTls() {
        this.tls = true;
        return this;
    }

    /**
     * Each member advertises its peer URL through a {@link LinkRelay} ({@link #peerLink(int)}),
     * so a test can cut a member off from its peers while its clients still reach it.
     */
    public EtcdExtension withPeerRelays() {
        this.peerRelays = true;
        return this;
    }

    /**
     * Starts etcd now, outside JUnit's callbacks, for a fixture that owns its lifetime (a
     * {@link PgCluster}); {@link #close()} stops it and removes its folder.
     */
    public EtcdExtension startNow() throws IOException {
        perClass = true;
        start();
        return this;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        // JUnit calls a static extension again for each @Nested class: one etcd serves them all.
        if (classDepth++ == 0) {
            perClass = true;
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--classDepth == 0) {
            stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    private void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "meridian-etcd-");
        try {
            members = create();
            members.forEach(EtcdServer::killOnJvmExit);
            if (tls) {
                authority = LocalAuthority.create(dir.resolve("ca"), "etcd-ca", 2);
                authority.issue("server", "IP:127.0.0.1", null, 2);
                authority.issue("testkit-client", "DNS:testkit-client", null, 2);
                members.forEach(m -> m.tls(authority.certificate("server"), authority.key("server"), authority.certificate()));
            }
            EtcdServer.startAll(members, START_TIMEOUT);
            warmUp();
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    private List<EtcdServer> create() throws IOException {
        List<String> names = IntStream.rangeClosed(1, size).mapToObj(i -> "etcd" + i).toList();
        if (!peerRelays) {
            return size == 1 ? List.of(EtcdServer.single("etcd1", dir.resolve("etcd1"))) : EtcdServer.cluster(dir, names);
        }
        List<Integer> ports = FreePorts.allocate(2 * size);
        List<LinkRelay> links = new ArrayList<>();
        Map<String, String> peers = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            LinkRelay relay = LinkRelay.start(0, "127.0.0.1", ports.get(2 * i + 1));
            links.add(relay);
            peers.put(names.get(i), "http://127.0.0.1:" + relay.port());
        }
        peerLinks = List.copyOf(links);
        List<EtcdServer> created = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            created.add(new EtcdServer(names.get(i), dir.resolve(names.get(i)), ports.get(2 * i), ports.get(2 * i + 1),
                    peers, "meridian-relayed-" + size));
        }
        return created;
    }

    /**
     * The first etcd call of a JVM loads gRPC, Netty and Vert.x; on a busy 2-core machine that has
     * taken over 10 s, which would fail the first test's call against its retry timeout. Pay it
     * here, once, with a generous budget.
     */
    private void warmUp() throws IOException {
        try (EtcdDcs dcs = EtcdDcs.connect(endpoints(), "/meridian-testkit", "warm-up", null, 6, 60, clientTls())) {
            dcs.load();
        } catch (DcsException e) {
            throw new IOException("etcd at " + endpoints() + " started but did not answer a read; see "
                    + members.get(0).logFile(), e);
        }
    }

    private void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
        for (EtcdServer member : members) {
            member.stop();
        }
        members = List.of();
        peerLinks.forEach(LinkRelay::close);
        peerLinks = List.of();
        authority = null;
        if (dir != null) {
            deleteTree(dir);
            dir = null;
        }
    }

    /** Client URLs of every member, e.g. {@code http://127.0.0.1:41234}, as {@code EtcdDcs.connect} takes them. */
    public List<String> endpoints() {
        List<String> urls = new ArrayList<>();
        for (EtcdServer member : members) {
            urls.add(member.clientUrl());
        }
        return urls;
    }

    /**
     * A plain jetcd client on the first member, for a test that reads, writes or watches keys as
     * another process would (a router, an operator): made on first use, closed with etcd. Not for
     * {@link #withTls()}, whose clients need a certificate.
     */
    public synchronized Client client() {
        if (members.isEmpty()) {
            throw new IllegalStateException("a client needs etcd running");
        }
        if (tls) {
            throw new IllegalStateException("EtcdExtension.client() speaks plain text; withTls() needs a client with clientTls()");
        }
        if (client == null) {
            client = Client.builder().endpoints(members.get(0).clientUrl()).build();
        }
        return client;
    }

    /** The members, to kill, stop, suspend or restart one in a test. */
    public List<EtcdServer> members() {
        return members;
    }

    public EtcdServer member(int index) {
        return members.get(index);
    }

    /** The relay carrying peer traffic to member {@code index} ({@link #withPeerRelays()}). */
    public LinkRelay peerLink(int index) {
        if (peerLinks.isEmpty()) {
            throw new IllegalStateException("peer links need EtcdExtension.withPeerRelays()");
        }
        return peerLinks.get(index);
    }

    /** The authority that signs the members' and clients' certificates ({@link #withTls()}). */
    public LocalAuthority authority() {
        if (authority == null) {
            throw new IllegalStateException("an authority needs EtcdExtension.withTls(), while etcd runs");
        }
        return authority;
    }

    /** A client certificate etcd accepts, with its authority; null without {@link #withTls()}. */
    public EtcdTls clientTls() {
        if (authority == null) {
            return null;
        }
        return new EtcdTls(authority.certificate(), authority.certificate("testkit-client"), authority.key("testkit-client"));
    }

    /** The folder holding every member's data and log, while running. */
    public Path dir() {
        return dir;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove etcd test folder " + root, e);
        }
    }
}
