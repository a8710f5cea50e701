package io.meridian.cli;

import picocli.CommandLine.Command;

/** The root of the operator command; subcommands are registered here and by the launcher. */
@Command(name = "meridian", mixinStandardHelpOptions = true, version = "meridian 0.1.0",
        description = "Region-aware high availability and geo-replication for PostgreSQL.",
        subcommands = {})
public final class MeridianCli {
}
