package io.meridian.router;

import picocli.CommandLine;

/** {@code meridian router} without the distribution jar, for tests that run the router as its own process. */
public final class RouterMain {

    private RouterMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RouterCommand()).execute(args));
    }
}
