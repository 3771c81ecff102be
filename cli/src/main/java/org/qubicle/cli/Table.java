package org.qubicle.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * Prints rows as util-linux {@code column -t} does, which the Qubes tools pipe their
 * tables through: every row gets as many cells as the widest row, each cell but the last
 * is padded to its column's width, and cells are joined by two spaces. No rows, no output.
 */
final class Table {
    private Table() {
    }

    static void print(PrintWriter out, List<? extends List<String>> rows) {
        int columns = 0;
        for (List<String> row : rows) {
            columns = Math.max(columns, row.size());
        }
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder line = new StringBuilder(128);
        for (List<String> row : rows) {
            line.setLength(0);
            for (int i = 0; i < columns; i++) {
                String cell = i < row.size() ? row.get(i) : "";
                line.append(cell);
                if (i < columns - 1) {
                    line.repeat(' ', width[i] - cell.length() + 2);
                }
            }
            out.append(line).append('\n');
        }
    }
}
