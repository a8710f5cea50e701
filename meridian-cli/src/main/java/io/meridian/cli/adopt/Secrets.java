package io.meridian.cli.adopt;

import java.security.SecureRandom;
import java.util.Base64;

/** Passwords adoption makes up where the adopted cluster had none that Meridian could use. */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

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

    /** 144 random bits, URL-safe: no quoting in YAML, conninfo or a pgpass line. */
    static String generate() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
