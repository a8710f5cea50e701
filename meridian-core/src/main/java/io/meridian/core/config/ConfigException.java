package io.meridian.core.config;

/**
 * A configuration file or value that Meridian refuses. The message names the file, the key path
 * and what was expected, in one line, e.g.
 * {@code paris-1.yml: postgresql.listen: expected host:port, got "5432"}.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String source, String key, String problem) {
        super(source + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + problem);
    }
}
