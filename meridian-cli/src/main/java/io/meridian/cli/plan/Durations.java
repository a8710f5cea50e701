package io.meridian.cli.plan;

import io.meridian.core.console.CliException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code 10m}, {@code 30s}, {@code 1h}, {@code 500ms}, or plain seconds. */
final class Durations {

    private static final Pattern D = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private Durations() {
    }

    static Duration parse(String option, String text) {
        Matcher m = D.matcher(text.strip());
        if (!m.matches()) {
            throw new CliException(option + ": expected a duration like 10m, 30s, 1h or 500ms, got \"" + text + "\"");
        }
        double v = Double.parseDouble(m.group(1));
        double seconds = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> v / 1000;
            case "m" -> v * 60;
            case "h" -> v * 3600;
            default -> v;
        };
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
