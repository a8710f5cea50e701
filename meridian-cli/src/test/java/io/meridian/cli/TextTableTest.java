package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.console.TextTable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void aLongTitleWidensTheLastColumn() {
        String t = new TextTable(List.of("A", "B"), Set.of(1)).row(List.of("x", "1")).render("Cluster: a-rather-long-name");
        List<String> lines = t.lines().toList();
        assertThat(lines.get(0)).startsWith("+ Cluster: a-rather-long-name ").endsWith("+");
        assertThat(lines).allSatisfy(l -> assertThat(l).hasSize(lines.get(0).length()));
        assertThat(lines.get(3)).endsWith(" 1 |");
    }

    @Test
    void aRowWithTheWrongWidthIsABug() {
        assertThatThrownBy(() -> new TextTable(List.of("A", "B"), Set.of()).row(List.of("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
