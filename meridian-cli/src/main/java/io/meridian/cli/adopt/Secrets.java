package io.meridian.cli.adopt;

/** Passwords adoption makes up where the adopted cluster had none that Meridian could use. */
final class Secrets {

    private Secrets() {
    }

    /**
     * The password in environment variable {@code name} when set (a role whose password clients
     * or other standbys already use keeps it), else a new one. Never an option: it would show in ps.
     */
    static String fromEnvOrNew(String name) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? generate() : v;
    }

    /** 144 random bits, URL-safe: no quoting in YAML, conninfo or a pgpass line (as the lab's secrets). */
    static String generate() {
        return io.meridian.lab.cli.LabSecrets.random();
    }
}
