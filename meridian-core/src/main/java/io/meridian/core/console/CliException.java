package io.meridian.core.console;

/** An operator-facing failure: its message is printed as one line {@code meridian: ...}, exit 1. */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
