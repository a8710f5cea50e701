package io.meridian.lab.drill;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One try to get one write acknowledged: connecting (when the worker had no connection) plus the
 * INSERT. Times are nanoseconds since the epoch on a monotonic clock anchored once to the wall
 * clock ({@link ProbeClock}), so they order correctly and compare with the agents' wall-clock
 * history within the machine's clock resolution.
 *
 * @param id      the row id the attempt tried to insert; ids increase across all workers
 * @param worker  which worker (0-based)
 * @param startNs when the attempt began
 * @param endNs   when it was acknowledged or failed
 * @param ok      true when the server acknowledged the commit
 * @param server  {@code inet_server_addr():inet_server_port()} of the connection, or the target
 *                {@code host:port} when that was never learned
 * @param error   the failure, one line, or null
 */
public record WriteAttempt(long id, int worker, @JsonProperty("start_ns") long startNs,
                           @JsonProperty("end_ns") long endNs, boolean ok, String server, String error) {

    @JsonIgnore
    public double startSeconds() {
        return startNs / 1e9;
    }
}
