package io.meridian.router.wire;

/**
 * A client broke the PostgreSQL protocol or asked for something the router refuses. Carries the
 * SQLSTATE the client is told, so the refusal reads like one from PostgreSQL itself.
 */
public final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    /** protocol_violation: the bytes themselves are wrong. */
    public static final String PROTOCOL_VIOLATION = "08P01";
    /** invalid_parameter_value: a meridian.* option with a value the router cannot read. */
    public static final String INVALID_PARAMETER = "22023";

    private final String sqlState;

    public ProtocolException(String sqlState, String message) {
        super(message);
        this.sqlState = sqlState;
    }

    public static ProtocolException violation(String message) {
        return new ProtocolException(PROTOCOL_VIOLATION, message);
    }

    public String sqlState() {
        return sqlState;
    }
}
