package io.meridian.router.config;

import io.meridian.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings a running router uses now. A reload swaps the whole record at once (readers see the
 * old or the new one, never a mix) and touches no connection: new settings apply to the next
 * routing decision. Settings that belong to sockets or threads the router already holds (listen
 * addresses, etcd, cluster, name) are refused with the key named, and nothing changes.
 */
public final class LiveConfig {

    private volatile RouterConfig current;

    public LiveConfig(RouterConfig initial) {
        this.current = Objects.requireNonNull(initial);
    }

    public RouterConfig get() {
        return current;
    }

    /**
     * Applies {@code next} if it only changes reloadable settings.
     *
     * @return the keys that changed (empty when the file says what the router already does)
     * @throws ConfigException naming the first setting that needs a restart
     */
    public synchronized List<String> reload(RouterConfig next) {
        RouterConfig now = current;
        fixed(next, "cluster", now, RouterConfig::cluster);
        fixed(next, "name", now, RouterConfig::name);
        fixed(next, "etcd", now, RouterConfig::etcd);
        fixed(next, "listen.rw", now, RouterConfig::rwListen);
        fixed(next, "listen.ro", now, RouterConfig::roListen);
        fixed(next, "listen.http", now, RouterConfig::httpListen);
        if ((now.tls() == null) != (next.tls() == null)) {
            throw new ConfigException(next.source(), "tls.certificate", "cannot be added or removed without a restart");
        }
        List<String> changed = new ArrayList<>();
        changedIf(changed, "region", now, next, RouterConfig::region);
        changedIf(changed, "reads.max_lag", now, next, c -> c.reads().maxLag());
        changedIf(changed, "reads.fallback", now, next, c -> c.reads().fallback());
        changedIf(changed, "reads.min_lsn_wait", now, next, c -> c.reads().minLsnWait());
        changedIf(changed, "leader.stale_after", now, next, RouterConfig::leaderStaleAfter);
        changedIf(changed, "client.connect_timeout", now, next, RouterConfig::connectTimeout);
        changedIf(changed, "client.startup_timeout", now, next, RouterConfig::startupTimeout);
        changedIf(changed, "tls", now, next, RouterConfig::tls);
        changedIf(changed, "tls.server_mode", now, next, RouterConfig::serverTls);
        changedIf(changed, "tls.server_root_cert", now, next, RouterConfig::serverRootCert);
        changedIf(changed, "tls.server_crl", now, next, RouterConfig::serverCrl);
        // Named, never shown: the monitor settings hold a password.
        changedIf(changed, "monitor", now, next, RouterConfig::monitor);
        current = next;
        return changed;
    }

    private static void fixed(RouterConfig next, String key, RouterConfig now, Function<RouterConfig, Object> f) {
        if (!Objects.equals(f.apply(now), f.apply(next))) {
            throw new ConfigException(next.source(), key, "cannot change without a restart (running: " + describe(f.apply(now))
                    + ", file: " + describe(f.apply(next)) + ")");
        }
    }

    private static String describe(Object value) {
        // None of the fixed settings holds a secret (Monitor's toString would leave the password out).
        return String.valueOf(value);
    }

    private static void changedIf(List<String> out, String key, RouterConfig now, RouterConfig next, Function<RouterConfig, Object> f) {
        if (!Objects.equals(f.apply(now), f.apply(next))) {
            out.add(key);
        }
    }
}
