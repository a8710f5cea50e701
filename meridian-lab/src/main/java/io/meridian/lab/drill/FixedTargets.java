package io.meridian.lab.drill;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One or more fixed DSNs, as a client configured with a list of hosts sees them: the first until
 * it fails, then the next, round the list. Through HAProxy or the router there is one entry and
 * the proxy decides where writes land.
 */
public final class FixedTargets implements WriteTarget {

    private final List<Dsn> dsns;
    private final AtomicInteger index = new AtomicInteger();

    public FixedTargets(List<Dsn> dsns) {
        if (dsns.isEmpty()) {
            throw new IllegalArgumentException("no DSN given");
        }
        this.dsns = List.copyOf(dsns);
    }

    @Override
    public Dsn current() {
        return dsns.get(Math.floorMod(index.get(), dsns.size()));
    }

    @Override
    public void failed(Dsn failed) {
        // Only the first worker to see this DSN fail moves the list on.
        int i = index.get();
        if (dsns.get(Math.floorMod(i, dsns.size())).equals(failed)) {
            index.compareAndSet(i, i + 1);
        }
    }
}
