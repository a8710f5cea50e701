package io.meridian.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against the real /proc of this machine: a socket this JVM opens is traced back to this JVM. */
class SourceRegionsTest {

    @Test
    void findsTheProcessThatOwnsALoopbackClientSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            long inode = SourceRegions.socketInode(accepted.getPort(), server.getLocalPort());
            assertThat(inode).isPositive();
            assertThat(SourceRegions.ownerOf(inode)).isEqualTo(ProcessHandle.current().pid());
            assertThat(SourceRegions.parentOf(ProcessHandle.current().pid()))
                    .isEqualTo(ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L));
            // This JVM's arguments name no lab folder, so it belongs to no region.
            assertThat(new SourceRegions(Path.of("/tmp/no-such-lab"), List.of("paris")).regionOf(accepted.getPort(), server.getLocalPort()))
                    .isNull();
        }
    }
}
