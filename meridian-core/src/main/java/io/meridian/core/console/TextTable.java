package io.meridian.core.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An ASCII table drawn like {@code patronictl list}: {@code +---+} borders, {@code |} separators,
 * and an optional title laid over the top border ({@code + Cluster: lab ----+}).
 */
public final class TextTable {

    private final List<String> headers;
    private final Set<Integer> rightAligned;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(List<String> headers, Set<Integer> rightAligned) {
        this.headers = List.copyOf(headers);
        this.rightAligned = Set.copyOf(rightAligned);
    }

    public TextTable row(List<String> cells) {
        if (cells.size() != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, table has " + headers.size() + " columns");
        }
        rows.add(cells.stream().map(c -> c == null ? "" : c).toList());
        return this;
    }

    public String render(String title) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        String top = border(width);
        if (title != null) {
            // The title sits on the top border; a long title widens the last column to fit.
            String head = "+ " + title + " ";
            int missing = head.length() + 2 - top.length();
            if (missing > 0) {
                width[width.length - 1] += missing;
                top = border(width);
            }
            top = head + top.substring(head.length());
        }
        StringBuilder out = new StringBuilder();
        out.append(top).append('\n');
        out.append(line(headers, width, Set.of())).append('\n');
        out.append(border(width)).append('\n');
        for (List<String> r : rows) {
            out.append(line(r, width, rightAligned)).append('\n');
        }
        out.append(border(width)).append('\n');
        return out.toString();
    }

    private static String border(int[] width) {
        StringBuilder b = new StringBuilder("+");
        for (int w : width) {
            b.append("-".repeat(w + 2)).append('+');
        }
        return b.toString();
    }

    private static String line(List<String> cells, int[] width, Set<Integer> right) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            b.append(' ').append(right.contains(i) ? pad + c : c + pad).append(" |");
        }
        return b.toString();
    }
}
