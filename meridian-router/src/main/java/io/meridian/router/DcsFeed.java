package io.meridian.router;

import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ClusterView} from etcd: the watch delivers changes at once (a new leader moves
 * writes within one event), and a read every few seconds proves etcd still answers, so a silent
 * watch on a partitioned router turns into "stale" and read-write refusals instead of a guess.
 */
final class DcsFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DcsFeed.class);

    private final AutoCloseable watch;
    private final ScheduledExecutorService reader;
    private volatile String lastError;

    DcsFeed(Dcs dcs, ClusterView view, Duration staleAfter) {
        reader = io.meridian.core.runtime.HaltOnError.singleThreadScheduled("meridian-router-etcd");
        // Three reads per stale period: one lost read never makes the view stale on its own.
        long period = Math.max(100, staleAfter.toMillis() / 3);
        reader.scheduleWithFixedDelay(() -> {
            try {
                view.apply(dcs.load());
                lastError = null;
            } catch (DcsException e) {
                if (!String.valueOf(e.getMessage()).equals(lastError)) {
                    LOG.warn("router cannot read the cluster from etcd: {}", e.getMessage());
                    lastError = e.getMessage();
                }
            } catch (RuntimeException e) {
                LOG.error("applying the cluster state failed", e);
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        watch = dcs.watch(view::apply);
    }

    @Override
    public void close() throws Exception {
        reader.shutdownNow();
        watch.close();
    }
}
