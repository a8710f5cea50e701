package io.meridian.core.dcs;

/**
 * etcd could not be reached or did not answer within the retry timeout. A transient fault, never
 * an answer: a primary that gets this while renewing its lease must assume it has lost it.
 */
public final class DcsException extends Exception {

    private static final long serialVersionUID = 1L;

    public DcsException(String message, Throwable cause) {
        super(message, cause);
    }

    public DcsException(String message) {
        super(message);
    }
}
