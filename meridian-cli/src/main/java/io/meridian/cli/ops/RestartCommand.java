package io.meridian.cli.ops;

import picocli.CommandLine.Command;

/** {@code meridian restart NODE}: restart one member's PostgreSQL through its agent. */
@Command(name = "restart", description = "Restart one member's PostgreSQL through its agent.")
public final class RestartCommand extends NodeAction {

    @Override
    String path() {
        return "/restart";
    }

    @Override
    String verb() {
        return "Restart PostgreSQL on";
    }
}
