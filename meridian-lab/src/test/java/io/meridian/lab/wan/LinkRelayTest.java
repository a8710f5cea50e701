package io.meridian.lab.wan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LinkRelay} in front of an echo server, driven through plain sockets. */
class LinkRelayTest {

    private EchoTarget target;
    private LinkRelay relay;

    @BeforeEach
    void start() throws IOException {
        target = new EchoTarget();
        relay = LinkRelay.start(0, "127.0.0.1", target.port());
    }

    @AfterEach
    void stop() throws IOException {
        relay.close();
        target.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.port());
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        assertThat(data).hasSize(length);
        return data;
    }

    @Test
    void bytesPassInOrderDespiteJitter() throws Exception {
        relay.setDelay(Duration.ofMillis(2));
        relay.setJitter(Duration.ofMillis(20));
        byte[] sent = new byte[256 * 1024];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i % 251);
        }
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readNBytes(sent.length);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            OutputStream out = socket.getOutputStream();
            Random sizes = new Random(7);
            for (int off = 0; off < sent.length; ) {
                int n = Math.min(1 + sizes.nextInt(4000), sent.length - off);
                out.write(sent, off, n);
                out.flush();
                off += n;
            }
            assertThat(echoed.get()).isEqualTo(sent);
        }
        assertThat(target.received()).isEqualTo(sent.length);
    }

    @Test
    void roundTripTakesAtLeastBothDelays() throws Exception {
        try (Socket socket = connect()) {
            // Warm up first (class loading, connection set-up) so only the relay's delay is measured.
            socket.getOutputStream().write(41);
            assertThat(readExactly(socket.getInputStream(), 1)[0]).isEqualTo((byte) 41);
            relay.setDelay(Duration.ofMillis(100), Duration.ofMillis(50));
            long started = System.nanoTime();
            socket.getOutputStream().write(42);
            assertThat(readExactly(socket.getInputStream(), 1)[0]).isEqualTo((byte) 42);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
    }

    @Test
    void bandwidthCapSlowsABulkTransfer() throws Exception {
        relay.setBandwidth(200_000);
        byte[] sent = new byte[100_000];
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readNBytes(sent.length);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            socket.getOutputStream().write(sent);
            assertThat(echoed.get()).hasSize(sent.length);
            // 100 kB at 200 kB/s takes 0.5 s each way; the directions overlap, so at least ~0.5 s.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        }
    }

    @Test
    void upstreamCutStallsWithoutClosingAndHealResumes() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(1);
            assertThat(readExactly(socket.getInputStream(), 1)[0]).isEqualTo((byte) 1);

            relay.cut(true, false);
            socket.getOutputStream().write(new byte[] {2, 3, 4});
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> target.received() == 1);
            socket.setSoTimeout(200);
            try {
                int b = socket.getInputStream().read();
                throw new AssertionError("read " + b + " across a cut link; expected a stall");
            } catch (SocketTimeoutException expected) {
                // stalled, not closed, not reset
            }

            relay.heal();
            socket.setSoTimeout(10_000);
            assertThat(readExactly(socket.getInputStream(), 3)).containsExactly(2, 3, 4);
        }
    }

    @Test
    void downstreamCutLetsRequestsThroughButHoldsReplies() throws Exception {
        try (Socket socket = connect()) {
            relay.cut(false, true);
            socket.getOutputStream().write(new byte[] {5, 6});
            await().atMost(Duration.ofSeconds(5)).until(() -> target.received() == 2);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> socket.getInputStream().available() == 0);
            relay.heal();
            assertThat(readExactly(socket.getInputStream(), 2)).containsExactly(5, 6);
        }
    }

    @Test
    void newConnectionDuringACutIsAcceptedButCarriesNothing() throws Exception {
        relay.cut(true, true);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(9);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> target.received() == 0 && socket.getInputStream().available() == 0);
            assertThat(socket.isClosed()).isFalse();
            relay.heal();
            assertThat(readExactly(socket.getInputStream(), 1)[0]).isEqualTo((byte) 9);
        }
    }
}
