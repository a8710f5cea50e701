package io.meridian.cli.adopt;

import java.security.SecureRandom;
import java.util.Base64;

/** Passwords adoption makes up where the adopted cluster had none that Meridian could use. */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** 144 random bits, URL-safe: no quoting in YAML, conninfo or a pgpass line. */
    static String generate() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
