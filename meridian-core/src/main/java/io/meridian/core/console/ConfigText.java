package io.meridian.core.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.meridian.core.config.DynamicConfig;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The dynamic configuration as YAML an operator reads and edits, and {@code --set} turned into a patch. */
public final class ConfigText {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private ConfigText() {
    }

    /** Stable key order, so two renderings diff line by line. */
    public static String yaml(DynamicConfig config) {
        try {
            Map<String, Object> tree = YAML.convertValue(config, TreeMap.class);
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new CliException("cannot render the configuration: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Turns {@code key=value} pairs into a merge patch: dots walk into mappings
     * ({@code parameters.work_mem=64MB}), values are read as YAML scalars (so {@code 10} is a number
     * and {@code true} a boolean), and {@code null} removes the key.
     */
    public static String patch(List<String> assignments) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new CliException("--set: expected key=value, got \"" + a + "\"");
            }
            String[] path = a.substring(0, eq).trim().split("\\.");
            String raw = a.substring(eq + 1).trim();
            ObjectNode at = root;
            for (int i = 0; i < path.length - 1; i++) {
                if (path[i].isEmpty()) {
                    throw new CliException("--set: empty key segment in \"" + a + "\"");
                }
                at = at.has(path[i]) && at.get(path[i]).isObject() ? (ObjectNode) at.get(path[i]) : at.putObject(path[i]);
            }
            try {
                at.set(path[path.length - 1], raw.isEmpty() ? JsonNodeFactory.instance.textNode("")
                        : YAML.readTree(raw));
            } catch (JsonProcessingException e) {
                throw new CliException("--set: cannot read the value of \"" + a + "\": " + e.getOriginalMessage(), e);
            }
        }
        return root.toString();
    }
}
