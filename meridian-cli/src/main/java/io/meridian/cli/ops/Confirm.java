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

    /**
     * One line typed in answer to {@code prompt}: on the terminal when there is one, else read from
     * standard input (a script may pipe the answers); null at the end of input. Read a byte at a
     * time so that a second prompt gets the second line.
     */
    static String typed(String prompt, java.io.PrintWriter out) {
        Console console = System.console();
        if (console != null) {
            return console.readLine("%s", prompt);
        }
        out.print(prompt);
        out.flush();
        try {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = System.in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            if (b == -1 && line.size() == 0) {
                return null;
            }
            return line.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            throw new CliException("cannot read the answer: " + e.getMessage(), e);
        }
    }
}
