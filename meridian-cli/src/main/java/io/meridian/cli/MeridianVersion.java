package io.meridian.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version {@code meridian version} and {@code --version} print: from
 * {@code META-INF/meridian/version.properties} ({@code version}, {@code commit}) when the build
 * embedded it, else the Maven project version the jar carries ({@code pom.properties} or the
 * manifest), else "unknown".
 */
public final class MeridianVersion implements IVersionProvider {

    static final String RESOURCE = "META-INF/meridian/version.properties";
    static final String POM = "META-INF/maven/io.meridian/meridian-cli/pom.properties";

    /** "meridian 0.1.0 (commit abc1234)", or without the commit when unknown. */
    public static String line() {
        return line(MeridianVersion.class.getClassLoader());
    }

    static String line(ClassLoader loader) {
        Properties built = read(loader, RESOURCE);
        String version = built.getProperty("version");
        String commit = built.getProperty("commit");
        if (blank(version)) {
            version = read(loader, POM).getProperty("version");
        }
        if (blank(version)) {
            version = MeridianVersion.class.getPackage().getImplementationVersion();
        }
        return "meridian " + (blank(version) ? "unknown" : version.strip())
                + (blank(commit) ? "" : " (commit " + commit.strip() + ")");
    }

    private static Properties read(ClassLoader loader, String name) {
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource is as good as none
        }
        return p;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }
}
