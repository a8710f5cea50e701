package io.meridian.cli.cluster;

import io.meridian.cli.CliException;
import io.meridian.cli.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.dcs.Dcs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian edit-config}: change the cluster-wide configuration. The new value is checked by
 * the same parser the agents use, the diff is shown, and it is written by compare-and-set against
 * the version that was read, so a concurrent change is never overwritten.
 */
@Command(name = "edit-config", description = "Change the cluster-wide configuration (validated, compare-and-set).")
public final class EditConfigCommand extends ClusterVerb {

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Change one setting, e.g. loop_wait=2 or parameters.work_mem=64MB (null removes). Repeatable.")
    List<String> set = new ArrayList<>();

    @Option(names = "--apply", paramLabel = "FILE", description = "Apply the settings in a YAML file ('-' for stdin) as a patch.")
    String apply;

    @Option(names = "--replace", paramLabel = "FILE", description = "Replace the whole configuration with a YAML file.")
    Path replace;

    @Option(names = "--force", description = "Do not ask for confirmation.")
    boolean force;

    @Override
    void validate() {
        int sources = (set.isEmpty() ? 0 : 1) + (apply == null ? 0 : 1) + (replace == null ? 0 : 1);
        if (sources > 1) {
            throw new CliException("edit-config: use only one of --set, --apply and --replace");
        }
    }

    @Override
    int run(ClusterTarget target, Dcs dcs) throws Exception {
        Cluster c = requireInitialized(target, load(target, dcs));
        DynamicConfig before = c.config();
        DynamicConfig after = changed(before);
        String beforeText = ConfigText.yaml(before);
        List<String> diff = LineDiff.diff(beforeText, ConfigText.yaml(after));
        if (diff.isEmpty()) {
            out().println("No changes.");
            out().flush();
            return 0;
        }
        diff.forEach(out()::println);
        out().flush();
        Confirm.ask(force, "Apply these changes?");
        if (!dcs.setConfig(after, c.configVersion())) {
            throw new CliException("the configuration changed since it was read (version " + c.configVersion()
                    + "); nothing written: run the command again");
        }
        out().println("Configuration of " + c.name() + " changed.");
        out().flush();
        return 0;
    }

    private DynamicConfig changed(DynamicConfig before) throws IOException, InterruptedException {
        if (!set.isEmpty()) {
            return DynamicConfigParser.merge("--set", before, ConfigText.patch(set));
        }
        if (apply != null) {
            String text = apply.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : read(Path.of(apply));
            // merge() reads YAML too; an empty file is an empty patch.
            return DynamicConfigParser.merge(apply.equals("-") ? "stdin" : apply, before, text.isBlank() ? "{}" : text);
        }
        if (replace != null) {
            return DynamicConfigParser.parse(replace.toString(), read(replace));
        }
        return edited(before);
    }

    /** Opens $VISUAL or $EDITOR (else vi) on the YAML and parses what the operator saved. */
    private DynamicConfig edited(DynamicConfig before) throws IOException, InterruptedException {
        String editor = firstSet(System.getenv("VISUAL"), System.getenv("EDITOR"), "vi");
        Path tmp = Files.createTempFile("meridian-config-", ".yaml");
        try {
            Files.writeString(tmp, ConfigText.yaml(before));
            Process p = new ProcessBuilder("sh", "-c", editor + " \"$0\"", tmp.toString()).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new CliException("editor '" + editor + "' exited with " + rc + "; nothing changed");
            }
            return DynamicConfigParser.parse("edit-config", Files.readString(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CliException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "vi";
    }
}
