package io.meridian.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Which Meridian this is: the project version and the git commit it was built from, written into
 * {@code build-info.properties} by the build. An operator or a scrape can then tell which build a
 * node runs. A build without git (a source tarball) says {@code unknown} for the commit rather than
 * failing.
 */
public record BuildInfo(String version, String commit) {

    /** Said for a value the build could not fill in. */
    public static final String UNKNOWN = "unknown";

    private static final String RESOURCE = "build-info.properties";
    private static final BuildInfo CURRENT = load();

    /** This build's version and commit, read once from the classpath. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** One line for {@code --version}: {@code meridian 0.1.0 (commit abc1234)}. */
    public String line() {
        return "meridian " + version + " (commit " + commit + ")";
    }

    static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
        return of(p.getProperty("version"), p.getProperty("commit"));
    }

    /** Values the build left unfilled (empty, or still a {@code ${...}} placeholder) become {@link #UNKNOWN}. */
    static BuildInfo of(String version, String commit) {
        return new BuildInfo(orUnknown(version), orUnknown(commit));
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() || value.contains("${") ? UNKNOWN : value.strip();
    }
}
