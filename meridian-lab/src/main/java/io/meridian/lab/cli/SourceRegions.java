package io.meridian.lab.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tells which region a loopback connection comes from, by the process that owns its socket: the
 * kernel's socket table ({@code /proc/net/tcp}) gives the socket's inode from the client's port,
 * {@code /proc/<pid>/fd} the process holding it, and its parent chain leads to a lab process whose
 * region is known (an etcd member, an agent, a postmaster). Every lab process dials the same
 * advertised address of a peer, so this is the only way one entry port can give each caller the
 * delay of its own link. Needs to run as the same user as the lab's processes, or as root.
 */
final class SourceRegions {

    private final Path labDir;
    private final List<String> regions;

    SourceRegions(Path labDir, List<String> regions) {
        this.labDir = labDir;
        this.regions = List.copyOf(regions);
    }

    /** What a lookup found: the region (null when none), and the socket and process, for the log. */
    record Source(String region, long inode, long pid) {
        @Override
        public String toString() {
            return region != null ? region : "outside the lab (socket inode " + inode + ", pid " + pid + ")";
        }
    }

    /** The region of the process connected from {@code 127.0.0.1:clientPort} to {@code serverPort}, or null. */
    String regionOf(int clientPort, int serverPort) {
        return lookup(clientPort, serverPort).region();
    }

    Source lookup(int clientPort, int serverPort) {
        long inode = socketInode(clientPort, serverPort);
        if (inode <= 0) {
            return new Source(null, inode, -1);
        }
        long owner = ownerOf(inode);
        long pid = owner;
        for (int hops = 0; pid > 1 && hops < 64; hops++) {
            String region = regionOfProcess(pid);
            if (region != null) {
                return new Source(region, inode, owner);
            }
            pid = parentOf(pid);
        }
        return new Source(null, inode, owner);
    }

    /**
     * A lab process names its region's folder in its arguments: etcd its data dir
     * ({@code <lab>/etcd/<region>/}), an agent its node file and a postmaster its data directory
     * ({@code <lab>/<region>-1/}). Arguments rather than recorded pids, because etcd members dial
     * each other before lab up has recorded anything.
     */
    String regionOfProcess(long pid) {
        String cmdline;
        try {
            cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException e) {
            return null;
        }
        for (String r : regions) {
            if (cmdline.contains(labDir.resolve("etcd").resolve(r) + "/")
                    || cmdline.contains(labDir.resolve(LabPlan.nodeName(r)) + "/")) {
                return r;
            }
        }
        for (String r : regions) {
            if (LabProcesses.postmasterPid(labDir.resolve(LabPlan.nodeName(r)).resolve("data")) == pid) {
                return r;
            }
        }
        return null;
    }

    /**
     * The inode of the client-side socket 127.0.0.1:clientPort -> 127.0.0.1:serverPort. Java's
     * dual-stack sockets list IPv4 peers in tcp6 as ::ffff:127.0.0.1, Go and libpq use tcp.
     */
    static long socketInode(int clientPort, int serverPort) {
        String local = String.format("0100007F:%04X", clientPort);
        String remote = String.format("0100007F:%04X", serverPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                        return Long.parseLong(f[9]);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no IPv6 on this machine, or a line we do not understand: try the other table
            }
        }
        return -1;
    }

    /** The process holding socket {@code inode}, by scanning every process's open files. */
    static long ownerOf(long inode) {
        String wanted = "socket:[" + inode + "]";
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            if (Files.readSymbolicLink(fd).toString().equals(wanted)) {
                                return Long.parseLong(proc.getFileName().toString());
                            }
                        } catch (IOException gone) {
                            // the fd closed while we looked
                        }
                    }
                } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException notOurs) {
                    // a process that exited or that we may not inspect
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            return -1;
        }
        return -1;
    }

    /** Parent pid from /proc/<pid>/stat (the field after the parenthesised command name). */
    static long parentOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(after[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

}
