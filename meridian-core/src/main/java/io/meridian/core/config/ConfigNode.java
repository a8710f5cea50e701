package io.meridian.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML or JSON mapping read with its key path, so that every refusal names the file, the key and
 * what was expected. Unknown keys are refused too: a misspelt key silently ignored is how a node
 * ends up with the wrong data directory.
 */
public final class ConfigNode {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String source;
    private final String path;
    private final JsonNode node;

    /** Reads {@code file}; a missing or unreadable file is a ConfigException naming it. */
    public static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), null, "cannot be read: " + e.getMessage());
        }
    }

    /** The top-level mapping of a YAML document, or a ConfigException naming the source and line. */
    public static ConfigNode parseYaml(String source, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(source, null, "is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source, null, "expected a YAML mapping at the top level");
        }
        return new ConfigNode(source, "", root);
    }

    public ConfigNode(String source, String path, JsonNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    public String source() {
        return source;
    }

    private String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public ConfigException error(String name, String problem) {
        return new ConfigException(source, key(name), problem);
    }

    public boolean has(String name) {
        return node.has(name) && !node.get(name).isNull();
    }

    public void allowOnly(Set<String> names) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new ConfigException(source, key(name), "unknown key (expected one of " + String.join(", ", names) + ")");
            }
        }
    }

    public String text(String name) {
        if (!has(name)) {
            throw error(name, "missing (expected a non-empty string)");
        }
        return textOr(name, null);
    }

    public String textOr(String name, String fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw error(name, "expected a non-empty string, got " + describe(v));
        }
        return v.asText();
    }

    public String name(String name) {
        String v = text(name);
        if (!v.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw error(name, "expected a name of letters, digits, '_', '.', '-' (at most 63), got \"" + v + "\"");
        }
        return v;
    }

    public HostPort hostPort(String name, HostPort fallback) {
        if (!has(name)) {
            if (fallback == null) {
                throw error(name, "missing (expected host:port)");
            }
            return fallback;
        }
        String v = node.get(name).asText();
        try {
            return HostPort.parse(v);
        } catch (IllegalArgumentException e) {
            throw error(name, "expected host:port with a port from 1 to 65535, got \"" + v + "\"");
        }
    }

    public boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isBoolean()) {
            throw error(name, "expected true or false, got " + describe(v));
        }
        return v.asBoolean();
    }

    public long integer(String name, long fallback, long min, long max) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw error(name, "expected a whole number from " + min + " to " + max + ", got " + describe(v));
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw error(name, "expected a whole number from " + min + " to " + max + ", got " + x);
        }
        return x;
    }

    public double seconds(String name, double fallback, double min, double max) {
        if (!has(name)) {
            return fallback;
        }
        JsonNode v = node.get(name);
        if (!v.isNumber()) {
            throw error(name, "expected a number of seconds from " + min + " to " + max + ", got " + describe(v));
        }
        double x = v.asDouble();
        if (x < min || x > max) {
            throw error(name, "expected a number of seconds from " + min + " to " + max + ", got " + v.asText());
        }
        return x;
    }

    public List<String> strings(String name) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode v = node.get(name);
        if (!v.isArray()) {
            throw error(name, "expected a list of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode() || e.asText().isBlank()) {
                throw new ConfigException(source, key(name) + "[" + i + "]", "expected a non-empty string, got " + describe(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    /** A flat mapping of names to scalar values, such as PostgreSQL parameters. */
    public Map<String, String> scalars(String name) {
        if (!has(name)) {
            return Map.of();
        }
        JsonNode v = node.get(name);
        if (!v.isObject()) {
            throw error(name, "expected a mapping of names to values, got " + describe(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ConfigException(source, key(name) + "." + e.getKey(), "expected a single value, got " + describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    public ConfigNode child(String name, boolean required) {
        if (!has(name)) {
            if (required) {
                throw error(name, "missing (expected a mapping)");
            }
            return new ConfigNode(source, key(name), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }
        JsonNode v = node.get(name);
        if (!v.isObject()) {
            throw error(name, "expected a mapping, got " + describe(v));
        }
        return new ConfigNode(source, key(name), v);
    }

    private static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "nothing";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        return v.asText();
    }
}
