package io.meridian.router;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian router -c router.yml}: runs the wire-protocol router until stopped. */
@Command(name = "router", description = "Run the region-aware PostgreSQL router.")
public final class RouterCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "The router's YAML file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        throw new UnsupportedOperationException("router: not built yet");
    }
}
