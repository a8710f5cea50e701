package io.meridian.cli.ops;

import java.util.ArrayList;
import java.util.List;

/** A line diff (longest common subsequence) shown before a configuration change is written. */
public final class LineDiff {

    private LineDiff() {
    }

    /** Lines prefixed {@code "- "}, {@code "+ "} or {@code "  "}; empty when nothing changed. */
    public static List<String> diff(String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        boolean changed = false;
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                out.add("  " + a[i]);
                i++;
                j++;
            } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
                // Removed lines before added ones, as diff(1) shows a change.
                out.add("- " + a[i++]);
                changed = true;
            } else {
                out.add("+ " + b[j++]);
                changed = true;
            }
        }
        // The trailing empty line of text ending in \n is not worth showing.
        out.removeIf(l -> l.equals("  "));
        return changed ? out : List.of();
    }
}
