package io.meridian.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code --log-format}: today's one-line text, or one JSON object a line (Logback's JsonEncoder) for
 * log shippers. The launcher reads it with {@link #fromArgs} before any logger exists, since Logback
 * picks its appender once at start-up ({@code MERIDIAN_LOG_FORMAT} in {@code logback.xml}); picocli
 * declares it too, so a wrong value is refused like any other and {@code --help} lists it.
 */
public enum LogFormat {
    text, json;

    /** The system property (or environment variable) that {@code logback.xml} reads. */
    public static final String PROPERTY = "MERIDIAN_LOG_FORMAT";

    /** The format named on the command line ({@code --log-format json} or {@code --log-format=json}), if any valid one is. */
    public static Optional<LogFormat> fromArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            String value = a.equals("--log-format") && i + 1 < args.length ? args[i + 1]
                    : a.startsWith("--log-format=") ? a.substring("--log-format=".length()) : null;
            if (value != null) {
                return parse(value);
            }
        }
        return Optional.empty();
    }

    /** {@code args} without the {@code --log-format} option, so that what names the command can be read at a fixed place. */
    public static String[] withoutOption(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                out.addAll(Arrays.asList(args).subList(i, args.length));
                break;
            }
            if (args[i].equals("--log-format")) {
                i++;
            } else if (!args[i].startsWith("--log-format=")) {
                out.add(args[i]);
            }
        }
        return out.toArray(String[]::new);
    }

    private static Optional<LogFormat> parse(String value) {
        for (LogFormat f : values()) {
            if (f.name().equals(value)) { // case-sensitive, as picocli reads it
                return Optional.of(f);
            }
        }
        return Optional.empty(); // picocli refuses it with the usual one-line error
    }
}
