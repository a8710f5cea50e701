package io.meridian.lab.cli;

import java.util.List;

/**
 * What the wan-daemon opens, written by {@code lab up} to {@code <dir>/wan.json}.
 *
 * @param entries shared entry ports, one per service and destination region
 * @param relays  fixed (from, to) relays, for addresses each node file names itself
 */
public record WanLinks(List<Entry> entries, List<Relay> relays) {

    public WanLinks {
        entries = List.copyOf(entries);
        relays = List.copyOf(relays);
    }

    /** A port every region dials to reach {@code region}'s {@code service} on {@code targetPort}. */
    public record Entry(String service, String region, int port, int targetPort) {
    }

    /** A relay from {@code from} to {@code to}: {@code port} forwards to {@code targetPort}. */
    public record Relay(String service, String from, String to, int port, int targetPort, int rttMillis) {
    }
}
