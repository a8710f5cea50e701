package io.meridian.core.console;

/** {@code --format}: a table for people, JSON for scripts. */
public enum OutputFormat {
    pretty, json
}
