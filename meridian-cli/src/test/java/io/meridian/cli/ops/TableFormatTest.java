package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The script formats of {@code list} and {@code query}, as patronictl prints them. */
class TableFormatTest {

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private final List<Map<String, Object>> rows = List.of(
            row("Member", "paris-1", "Role", "Leader", "Lag in MB", null, "Tags", Map.of()),
            row("Member", "tokyo-1", "Role", "Replica", "Lag in MB", 8L, "Tags", Map.of("nofailover", true)));

    @Test
    void tsvHasAHeaderLineAndOneLinePerRowWithEmptyNulls() {
        assertThat(TableFormat.tsv.render(rows, List.of("Member", "Role", "Lag in MB", "Tags"))).isEqualTo(
                "Member\tRole\tLag in MB\tTags\n"
                        + "paris-1\tLeader\t\t\n"
                        + "tokyo-1\tReplica\t8\tnofailover: true\n");
        assertThat(TableFormat.tsv.render(List.of(row("a", "x\ty\nz")), List.of("a"))).isEqualTo("a\nx y z\n");
    }

    @Test
    void yamlIsAListOfMappingsWithTheColumnNames() {
        assertThat(TableFormat.yaml.render(rows, List.of())).isEqualTo(
                "- Member: paris-1\n  Role: Leader\n  Lag in MB: null\n  Tags: {}\n"
                        + "- Member: tokyo-1\n  Role: Replica\n  Lag in MB: 8\n  Tags:\n    nofailover: true\n");
    }
}
