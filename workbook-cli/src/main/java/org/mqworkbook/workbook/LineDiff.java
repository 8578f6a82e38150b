package org.mqworkbook.workbook;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff in the unified format {@code git diff} prints, small enough to read: a longest common
 * subsequence table, walked from the start, then hunks with a few lines of context.
 *
 * <p>Exercise regions are a few dozen lines, so the quadratic table is no concern (Myers' algorithm,
 * what git uses, is linear in the size of the difference and matters for large files). Lines are compared
 * without trailing whitespace, which editors add and remove on their own.
 *
 * <p>Stateless; thread safe.
 */
final class LineDiff {
    /**
     * One line of the edit script.
     *
     * @param op   ' ' kept, '-' only in the old text, '+' only in the new
     * @param text the line
     * @param a    for ' ' and '-', the line's index in the old text; for '+', the index before which it goes
     * @param b    for ' ' and '+', the line's index in the new text; for '-', the index before which it was
     */
    record Edit(char op, String text, int a, int b) {
    }

    private LineDiff() {
    }

    /** The shortest edit script from {@code a} to {@code b}: deletions before insertions at each change. */
    static List<Edit> edits(List<String> a, List<String> b) {
        int[][] common = new int[a.size() + 1][b.size() + 1]; // common[i][j]: LCS length of a[i..] and b[j..]
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = same(a.get(i), b.get(j)) ? common[i + 1][j + 1] + 1
                    : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<Edit> edits = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && same(a.get(i), b.get(j))) {
                edits.add(new Edit(' ', b.get(j), i++, j++));
            } else if (j == b.size() || (i < a.size() && common[i + 1][j] >= common[i][j + 1])) {
                edits.add(new Edit('-', a.get(i), i++, j));
            } else {
                edits.add(new Edit('+', b.get(j), i, j++));
            }
        }
        return edits;
    }

    /**
     * The hunks turning {@code a} into {@code b}, each starting with its {@code @@ -l,n +l,n @@} header; empty
     * if they are the same.
     *
     * @param aFirstLine the line number of {@code a}'s first line in its file (so headers point into the file)
     * @param bFirstLine the same for {@code b}
     * @param context    how many unchanged lines to show around each change
     */
    static List<String> unified(List<String> a, List<String> b, int aFirstLine, int bFirstLine, int context) {
        List<Edit> edits = edits(a, b);
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int firstChange = nextChange(edits, from);
            if (firstChange < 0) {
                return out;
            }
            int lastChange = firstChange;
            for (int next = nextChange(edits, lastChange + 1); next >= 0 && next - lastChange - 1 <= 2 * context;
                 next = nextChange(edits, lastChange + 1)) {
                lastChange = next;
            }
            int start = Math.max(from, firstChange - context);
            int end = Math.min(edits.size(), lastChange + context + 1);
            List<Edit> hunk = edits.subList(start, end);
            int aCount = (int) hunk.stream().filter(e -> e.op() != '+').count();
            int bCount = (int) hunk.stream().filter(e -> e.op() != '-').count();
            // by convention an empty side names the line before the change
            int aStart = aFirstLine + hunk.get(0).a() - (aCount == 0 ? 1 : 0);
            int bStart = bFirstLine + hunk.get(0).b() - (bCount == 0 ? 1 : 0);
            out.add("@@ -" + aStart + "," + aCount + " +" + bStart + "," + bCount + " @@");
            hunk.forEach(e -> out.add(e.op() + e.text()));
            from = end;
        }
    }

    private static int nextChange(List<Edit> edits, int from) {
        for (int k = from; k < edits.size(); k++) {
            if (edits.get(k).op() != ' ') {
                return k;
            }
        }
        return -1;
    }

    private static boolean same(String x, String y) {
        return x.stripTrailing().equals(y.stripTrailing());
    }
}
