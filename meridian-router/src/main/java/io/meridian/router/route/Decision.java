package io.meridian.router.route;

/** Where one new client connection goes, or why it does not. */
public sealed interface Decision {

    /** Relay to this server; {@code reason} is what the status page and debug log show. */
    record Route(Backend backend, String reason) implements Decision {
    }

    /** Refuse with a FATAL error carrying this SQLSTATE. */
    record Refuse(String sqlState, String message) implements Decision {
    }

    /** No replica has replayed the requested LSN yet; ask again shortly (until the wait bound). */
    record Wait() implements Decision {
    }
}
