package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import java.io.Console;

/** Asks before an action that moves the leader, unless {@code --force} or no terminal to ask on. */
final class Confirm {

    private Confirm() {
    }

    static void ask(boolean force, String question) {
        Console console = System.console();
        if (force || console == null) {
            return;
        }
        String answer = console.readLine("%s [y/N] ", question);
        if (answer == null || !answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
            throw new CliException("aborted");
        }
    }
}
