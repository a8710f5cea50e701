package io.meridian.cli.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.meridian.core.console.CliException;
import io.meridian.core.console.JsonOutput;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code --format} of the commands that print rows ({@code list}, {@code query}), as
 * {@code patronictl}: a table for people, and for scripts tab-separated values (a header line, then
 * one line per row), YAML or JSON (a list of objects with the table's column names as keys).
 */
public enum TableFormat {
    pretty, tsv, yaml, json;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** The rows in this format; {@code pretty} is the caller's own table, not rendered here. */
    public String render(List<Map<String, Object>> rows, List<String> columns) {
        return switch (this) {
            case json -> JsonOutput.write(rows) + "\n";
            case yaml -> yaml(rows);
            case tsv -> tsv(rows, columns);
            case pretty -> throw new IllegalStateException("pretty output is the command's own table");
        };
    }

    static String yaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new CliException("cannot render YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** A header line and one line per row; a tab or newline inside a value becomes a space, null is empty. */
    static String tsv(List<Map<String, Object>> rows, List<String> columns) {
        StringBuilder out = new StringBuilder(String.join("\t", columns)).append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String col : columns) {
                cells.add(cell(row.get(col)));
            }
            out.append(String.join("\t", cells)).append('\n');
        }
        return out.toString();
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v instanceof Map<?, ?> m ? m.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", ")) : String.valueOf(v);
        return s.replaceAll("[\\t\\r\\n]+", " ");
    }
}
