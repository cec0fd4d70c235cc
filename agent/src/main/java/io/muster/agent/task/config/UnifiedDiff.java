package io.muster.agent.task.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Unified diff of two texts (Myers' algorithm, 3 lines of context), as {@code diff -u} prints it.
 * A missing side is {@code null} and shows as {@code /dev/null}. Output is capped so that one huge
 * file cannot bloat a run result.
 */
final class UnifiedDiff {

    static final int MAX_CHARS = 64 * 1024;
    private static final int CONTEXT = 3;
    /** Bound on Myers' trace (ints kept); beyond it the diff is shown as a full replacement. */
    private static final long MAX_TRACE = 8_000_000L;

    private enum Op { EQUAL, DELETE, INSERT }

    private record Edit(Op op, String line) {
    }

    private UnifiedDiff() {
    }

    /** Empty when both sides are equal. */
    static String of(String path, String before, String after) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        List<Edit> edits = edits(a, b);
        if (edits.stream().allMatch(e -> e.op() == Op.EQUAL) && (before == null) == (after == null)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(before == null ? "/dev/null" : path).append('\n');
        out.append("+++ ").append(after == null ? "/dev/null" : path).append('\n');
        hunks(edits, out);
        if (out.length() > MAX_CHARS) {
            out.setLength(MAX_CHARS);
            out.append("\n... diff truncated at ").append(MAX_CHARS).append(" characters\n");
        }
        return out.toString();
    }

    /** Lines keep their terminator so that a missing final newline is a difference too. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        if (text == null) {
            return lines;
        }
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    private static List<Edit> edits(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int max = n + m;
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        for (int d = 0; d <= max; d++) {
            if ((long) (d + 1) * v.length > MAX_TRACE) {
                return replacement(a, b);
            }
            trace.add(v.clone());
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                        ? v[offset + k + 1]
                        : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    return backtrack(a, b, trace, offset);
                }
            }
        }
        return replacement(a, b);
    }

    private static List<Edit> backtrack(List<String> a, List<String> b, List<int[]> trace, int offset) {
        List<Edit> reversed = new ArrayList<>();
        int x = a.size();
        int y = b.size();
        for (int d = trace.size() - 1; d >= 0; d--) {
            int[] v = trace.get(d);
            int k = x - y;
            int previousK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1;
            int previousX = v[offset + previousK];
            int previousY = previousX - previousK;
            while (x > previousX && y > previousY) {
                reversed.add(new Edit(Op.EQUAL, a.get(x - 1)));
                x--;
                y--;
            }
            if (d > 0) {
                if (x == previousX) {
                    reversed.add(new Edit(Op.INSERT, b.get(y - 1)));
                } else {
                    reversed.add(new Edit(Op.DELETE, a.get(x - 1)));
                }
            }
            x = previousX;
            y = previousY;
        }
        List<Edit> edits = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            edits.add(reversed.get(i));
        }
        return edits;
    }

    private static List<Edit> replacement(List<String> a, List<String> b) {
        List<Edit> edits = new ArrayList<>(a.size() + b.size());
        a.forEach(line -> edits.add(new Edit(Op.DELETE, line)));
        b.forEach(line -> edits.add(new Edit(Op.INSERT, line)));
        return edits;
    }

    private static void hunks(List<Edit> edits, StringBuilder out) {
        int size = edits.size();
        int[] oldBefore = new int[size + 1];
        int[] newBefore = new int[size + 1];
        for (int i = 0; i < size; i++) {
            Op op = edits.get(i).op();
            oldBefore[i + 1] = oldBefore[i] + (op == Op.INSERT ? 0 : 1);
            newBefore[i + 1] = newBefore[i] + (op == Op.DELETE ? 0 : 1);
        }
        int i = 0;
        while (i < size) {
            if (edits.get(i).op() == Op.EQUAL) {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // Extend over changes separated by at most 2 * CONTEXT equal lines: they share a hunk.
            int equalRun = 0;
            int j = i;
            while (j < size && equalRun <= 2 * CONTEXT) {
                if (edits.get(j).op() == Op.EQUAL) {
                    equalRun++;
                } else {
                    equalRun = 0;
                    end = j;
                }
                j++;
            }
            int stop = Math.min(size, end + 1 + CONTEXT);
            int oldCount = oldBefore[stop] - oldBefore[start];
            int newCount = newBefore[stop] - newBefore[start];
            out.append("@@ -").append(range(oldBefore[start], oldCount))
                    .append(" +").append(range(newBefore[start], newCount)).append(" @@\n");
            for (int e = start; e < stop; e++) {
                Edit edit = edits.get(e);
                char mark = edit.op() == Op.EQUAL ? ' ' : edit.op() == Op.DELETE ? '-' : '+';
                String line = edit.line();
                out.append(mark);
                if (line.endsWith("\n")) {
                    out.append(line);
                } else {
                    out.append(line).append("\n\\ No newline at end of file\n");
                }
            }
            i = stop;
        }
    }

    private static String range(int linesBefore, int count) {
        int first = count == 0 ? linesBefore : linesBefore + 1;
        return count == 1 ? Integer.toString(first) : first + "," + count;
    }
}
