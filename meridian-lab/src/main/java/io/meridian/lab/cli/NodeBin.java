package io.meridian.lab.cli;

import io.meridian.core.config.ConfigException;
import io.meridian.core.config.NodeConfigLoader;
import java.nio.file.Path;

/** Where a lab node's PostgreSQL binaries are: from its node file, else Debian's PostgreSQL 15. */
record NodeBin(Path binDir) {

    static NodeBin of(LabState.Node n) {
        try {
            return new NodeBin(NodeConfigLoader.load(Path.of(n.config())).postgresql().binDir());
        } catch (ConfigException e) {
            return new NodeBin(Path.of("/usr/lib/postgresql/15/bin"));
        }
    }

    Path pgCtl() {
        return binDir.resolve("pg_ctl");
    }
}
