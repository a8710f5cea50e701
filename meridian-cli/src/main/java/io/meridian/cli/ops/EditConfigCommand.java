package io.meridian.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.ConfigText;
import io.meridian.core.dcs.Dcs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian edit-config}: change the cluster-wide configuration. The new value is checked by
 * the same parser the agents use and the diff is shown; then it goes to an agent's REST API (the
 * leader's when it answers), which checks the PostgreSQL parameters against the leader's
 * {@code pg_settings} and writes by compare-and-set: one place decides what may be written.
 */
@Command(name = "edit-config", description = "Change the cluster-wide configuration (validated, compare-and-set).")
public final class EditConfigCommand extends ClusterVerb {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        if (!c.configValid() && replace == null) {
            throw new CliException("/config cannot be used (" + c.configError() + "): an edit would build on a "
                    + "configuration that is not the stored one; replace it whole with --replace FILE");
        }
        DynamicConfig before = c.config();
        DynamicConfig after = changed(before);
        String beforeText = ConfigText.yaml(before);
        List<String> diff = LineDiff.diff(beforeText, ConfigText.yaml(after));
        if (diff.isEmpty() && c.configValid()) {
            out().println("No changes.");
            out().flush();
            return 0;
        }
        diff.forEach(out()::println);
        out().flush();
        Confirm.ask(force, "Apply these changes?");
        // Through an agent, the leader first: it checks the PostgreSQL parameters against the
        // leader's pg_settings and refuses before anything is written.
        Member via = c.leaderMember().filter(m -> m.apiUrl() != null)
                .or(() -> c.members().stream().filter(m -> m.apiUrl() != null).findFirst())
                .orElseThrow(() -> new CliException("no agent of " + c.name() + " to send the change to: "
                        + "the agents check a configuration before it is written; nothing written"));
        AgentClient agent = new AgentClient(via.apiUrl(), target.restUser(), target.restPassword(), target.restTls());
        if (replace != null) {
            agent.send("PUT", "/config", JSON.writeValueAsString(after), Duration.ofSeconds(30));
        } else {
            agent.send("PATCH", "/config", JSON.writeValueAsString(mergePatch(before, after)), Duration.ofSeconds(30));
        }
        out().println("Configuration of " + c.name() + " changed (checked by " + via.name() + ").");
        out().flush();
        return 0;
    }

    /**
     * The JSON merge patch from {@code before} to {@code after}: changed settings, and changed or
     * removed (null) parameters. The agent applies it to the configuration it reads, so a setting
     * someone else changed meanwhile is not put back.
     */
    static ObjectNode mergePatch(DynamicConfig before, DynamicConfig after) {
        ObjectNode b = JSON.valueToTree(before);
        ObjectNode a = JSON.valueToTree(after);
        ObjectNode patch = JSON.createObjectNode();
        a.fields().forEachRemaining(e -> {
            JsonNode old = b.get(e.getKey());
            if (e.getValue().equals(old)) {
                return;
            }
            if ("parameters".equals(e.getKey()) && old instanceof ObjectNode op && e.getValue() instanceof ObjectNode np) {
                ObjectNode p = patch.putObject("parameters");
                np.fields().forEachRemaining(x -> {
                    if (!x.getValue().equals(op.get(x.getKey()))) {
                        p.set(x.getKey(), x.getValue());
                    }
                });
                op.fieldNames().forEachRemaining(k -> {
                    if (!np.has(k)) {
                        p.putNull(k);
                    }
                });
            } else {
                patch.set(e.getKey(), e.getValue());
            }
        });
        return patch;
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
