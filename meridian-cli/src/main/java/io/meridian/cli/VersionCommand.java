package io.meridian.cli;

import io.meridian.core.BuildInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code meridian version}: the same line as {@code --version}, for scripts and patronictl habits. */
@Command(name = "version", description = "Print the version and git commit of this build.")
public final class VersionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(BuildInfo.current().line());
    }
}
