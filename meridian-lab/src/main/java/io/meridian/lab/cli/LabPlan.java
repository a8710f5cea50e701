package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shape of a lab before anything starts: which regions, which node in each, where its files
 * go. Ports are chosen later, when they are known to be free.
 */
public record LabPlan(Path dir, String cluster, List<String> regions) {

    public LabPlan {
        regions = List.copyOf(regions);
    }

    /** Parses {@code --regions paris,newyork,tokyo}: lower-case names, distinct, at least one. */
    public static List<String> parseRegions(String text) {
        if (text == null || text.isBlank()) {
            throw new CliException("--regions: expected region names like paris,newyork,tokyo");
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : text.split(",")) {
            String r = raw.trim();
            if (!r.matches("[a-z][a-z0-9-]{0,30}")) {
                throw new CliException("--regions: expected lower-case names of letters, digits and '-', got \"" + r + "\"");
            }
            if (!seen.add(r)) {
                throw new CliException("--regions: " + r + " is listed twice");
            }
            out.add(r);
        }
        if (out.size() > 7) {
            throw new CliException("--regions: at most 7 regions on one machine, got " + out.size());
        }
        return out;
    }

    /** One node per region, named {@code <region>-1}. */
    public static String nodeName(String region) {
        return region + "-1";
    }

    public List<String> nodeNames() {
        return regions.stream().map(LabPlan::nodeName).toList();
    }

    public Path nodeDir(String node) {
        return dir.resolve(node);
    }

    public Path dataDir(String node) {
        return nodeDir(node).resolve("data");
    }

    public Path nodeFile(String node) {
        return nodeDir(node).resolve("node.yml");
    }

    public Path agentLog(String node) {
        return nodeDir(node).resolve("agent.log");
    }

    public Path pgpass() {
        return dir.resolve("pgpass");
    }

    /** A libpq string psql takes as it is: superuser, password from the 0600 passfile, never inline. */
    public static String dsn(int pgPort, Path pgpass) {
        return "host=127.0.0.1 port=" + pgPort + " user=postgres dbname=postgres passfile=" + pgpass;
    }
}
