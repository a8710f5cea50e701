package io.meridian.cli.cluster;

import io.meridian.cli.MeridianVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code meridian version}: the CLI's version and build commit, as {@code patronictl version}. */
@Command(name = "version", description = "Print the version of meridian (and the commit it was built from).")
public final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(MeridianVersion.line());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
