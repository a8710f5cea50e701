package io.meridian.lab.process;

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

    /** [low, high] below the ephemeral range from /proc (32768 by default), above the well-known services. */
    private static int[] belowEphemeralRange() {
        int low = 32768;
        try {
            String[] r = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim().split("\\s+");
            low = Integer.parseInt(r[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: the default range's bottom
        }
        int high = Math.max(11000, low - 1);
        return new int[] {Math.max(10000, high - 12000), high};
    }

    /** One free loopback port. */
    public static int allocate() {
        return allocate(1).get(0);
    }

    /** Where ports are picked: below the kernel's ephemeral range (see {@link #allocate(int)}). */
    private static final int[] RANGE = belowEphemeralRange();

    /**
     * {@code count} distinct free loopback ports, taken below the kernel's ephemeral range: the
     * source port of an outgoing connection (an etcd member dialing its peers, a relay) is picked
     * from that range, and could take a port handed out here before its process binds it (an etcd
     * member once failed to start with "address already in use" that way).
     */
    public static List<Integer> allocate(int count) {
        List<ServerSocket> held = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        try {
            // Bounded: the range is far larger than any lab, so a few rejects (ports in use, or
            // already handed out by this JVM) cannot loop for long.
            for (int attempt = 0; ports.size() < count && attempt < count * 200; attempt++) {
                int port = random.nextInt(RANGE[0], RANGE[1] + 1);
                if (HANDED_OUT.contains(port)) {
                    continue;
                }
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(false);
                try {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                } catch (IOException inUse) {
                    socket.close();
                    continue;
                }
                held.add(socket);
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
