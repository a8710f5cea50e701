package io.meridian.core.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out TCP ports that are free on the loopback interface right now.
 *
 * <p>A port is only known to be free while we hold it, so there is always a window between
 * {@code allocate} and the child process binding it. Two measures keep that window harmless in
 * practice: all ports of one call are held open together (so one call never returns the same port
 * twice), and a port handed out once is never handed out again by this JVM (so two labs or tests
 * in one JVM do not collide).
 */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** One free loopback port. */
    public static int allocate() {
        return allocate(1).get(0);
    }

    /** {@code count} distinct free loopback ports. */
    public static List<Integer> allocate(int count) {
        List<ServerSocket> held = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            // Bounded: the kernel's ephemeral range is far larger than any lab, so a few rejects
            // (ports this JVM already handed out) cannot loop for long.
            for (int attempt = 0; ports.size() < count && attempt < count * 50; attempt++) {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                held.add(socket);
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    ports.add(port);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a free port on the loopback interface", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a listening socket that never accepted cannot lose anything
                }
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("found only " + ports.size() + " of " + count + " free loopback ports");
        }
        return List.copyOf(ports);
    }
}
