package io.meridian.cli.lab;

import picocli.CommandLine.Command;

/** {@code meridian lab}: a whole multi-region cluster on this machine, for trying and drilling. */
@Command(name = "lab", description = "Run a local multi-region cluster: etcd, PostgreSQL nodes and their agents.",
        subcommands = {})
public final class LabCommand {
}
