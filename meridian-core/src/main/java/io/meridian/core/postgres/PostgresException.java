package io.meridian.core.postgres;

/** A PostgreSQL action failed; the message names the action and PostgreSQL's or the tool's own words. */
public final class PostgresException extends Exception {

    private static final long serialVersionUID = 1L;

    public PostgresException(String message) {
        super(message);
    }

    public PostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}
