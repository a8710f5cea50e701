package io.meridian.cli.plan;

import io.meridian.core.plan.Rto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The last measured region-outage RTO: the median of the newest {@code regions-drills-*.txt} in
 * bench/results that has a region-outage line ({@code bench/regions/drills.sh} writes them).
 */
final class DrillRto {

    /** "region outage (paris)  5   5     7.48    8.08   10.58 ..." : trials, ok, min, median, max. */
    private static final Pattern OUTAGE = Pattern.compile(
            "^region outage \\((\\S+)\\)\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)", Pattern.MULTILINE);

    private DrillRto() {
    }

    static Rto latest(Path resultsDir) {
        if (resultsDir == null || !Files.isDirectory(resultsDir)) {
            return Rto.unknown("no drill results (" + resultsDir + " missing): run bench/regions/drills.sh");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(resultsDir)) {
            files = s.filter(p -> p.getFileName().toString().matches("regions-drills-.*\\.txt"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            try {
                Matcher m = OUTAGE.matcher(Files.readString(f));
                if (m.find()) {
                    return new Rto(Double.parseDouble(m.group(5)), "median of " + m.group(3) + " region-outage drill trials of "
                            + m.group(1) + ", " + f.getFileName());
                }
            } catch (IOException e) {
                // An unreadable result is skipped for an older one.
            }
        }
        return Rto.unknown("no region-outage drill in " + resultsDir + ": run bench/regions/drills.sh");
    }
}
