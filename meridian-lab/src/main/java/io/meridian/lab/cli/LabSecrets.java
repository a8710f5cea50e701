package io.meridian.lab.cli;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Passwords generated for one lab: written only to the 0600 node files and pgpass, never to
 * lab.json, logs or command lines. One set per lab, because replicas are clones of the primary and
 * so share its roles.
 */
public record LabSecrets(String superuser, String replication, String rest) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public static LabSecrets generate() {
        return new LabSecrets(random(), random(), random());
    }

    /** 24 URL-safe characters (144 random bits): no quoting trouble in YAML, pgpass or conninfo. */
    public static String random() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "LabSecrets[<hidden>]";
    }
}
