package io.meridian.router.proxy;

/** Which listener a client came in on. */
public enum PortKind {
    /** Always the current leader. */
    RW,
    /** A replica chosen by region, lag and load, else the fallback. */
    RO;

    public String label() {
        return this == RW ? "rw" : "ro";
    }
}
