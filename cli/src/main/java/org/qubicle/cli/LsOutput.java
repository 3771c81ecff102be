package org.qubicle.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Writes the qvm-ls table, raw data or JSON. */
final class LsOutput {
    private final QvmLs o;
    private final LsColumns columns;
    private final List<String> heads = new ArrayList<>();

    LsOutput(QvmLs options, LsColumns columns, List<String> names) {
        this.o = options;
        this.columns = columns;
        for (String n : names) {
            heads.add(LsColumns.head(n));
        }
    }

    void write(List<LsQube> vms) {
        PrintWriter out = o.out();
        List<LsQube> sorted = new ArrayList<>(vms);
        sorted.sort(QvmLs.BY_NAME);
        if (o.json) {
            json(out, sorted);
            return;
        }
        if (o.rawData) {
            StringBuilder line = new StringBuilder();
            for (LsQube vm : sorted) {
                line.setLength(0);
                for (int i = 0; i < heads.size(); i++) {
                    if (i > 0) {
                        line.append('|');
                    }
                    line.append(columns.cell(heads.get(i), vm));
                }
                out.append(line).append('\n');
            }
            return;
        }
        List<List<String>> table = new ArrayList<>();
        table.add(heads);
        if (o.tree) {
            for (Object[] node : new LsTree(sorted).build()) {
                table.add(row((LsQube) node[1], (Integer) node[0]));
            }
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (LsQube vm : sorted) {
                rows.add(row(vm, 0));
            }
            String key = o.sort.toUpperCase(Locale.ROOT);
            int index = heads.indexOf(key);
            if (index >= 0) {
                rows.sort(new RowOrder(index, LsColumns.NUMERIC.contains(key), o.ignoreCase,
                        o.reverse));
            }
            table.addAll(rows);
        }
        Table.print(out, table);
    }

    private List<String> row(LsQube vm, int depth) {
        List<String> row = new ArrayList<>(heads.size());
        for (String h : heads) {
            String cell = columns.cell(h, vm);
            if (depth > 0 && h.equals("NAME")) {
                cell = "  ".repeat(depth - 1) + "└─" + cell;
            }
            row.add(cell);
        }
        return row;
    }

    /**
     * The {@code --sort} order of table rows. A class rather than Comparator's combinators,
     * whose lambdas are spun into classes at each start (the default sorts by NAME).
     */
    private static final class RowOrder implements Comparator<List<String>> {
        private final int index;
        private final boolean numeric;
        private final boolean ignoreCase;
        private final boolean reverse;

        RowOrder(int index, boolean numeric, boolean ignoreCase, boolean reverse) {
            this.index = index;
            this.numeric = numeric;
            this.ignoreCase = ignoreCase;
            this.reverse = reverse;
        }

        @Override
        public int compare(List<String> a, List<String> b) {
            return reverse ? order(b, a) : order(a, b);
        }

        private int order(List<String> a, List<String> b) {
            String x = a.get(index);
            String y = b.get(index);
            if (numeric) {
                return Long.compare(numeric(x), numeric(y));
            }
            return ignoreCase ? x.toUpperCase(Locale.ROOT).compareTo(y.toUpperCase(Locale.ROOT))
                    : x.compareTo(y);
        }
    }

    private static long numeric(String field) {
        try {
            return Long.parseLong(field.endsWith("%") ? field.substring(0, field.length() - 1) : field);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void json(PrintWriter out, List<LsQube> vms) {
        StringBuilder b = new StringBuilder("[");
        for (int v = 0; v < vms.size(); v++) {
            b.append(v == 0 ? "\n  {" : ",\n  {");
            for (int i = 0; i < heads.size(); i++) {
                String h = heads.get(i);
                String value = columns.value(h, vms.get(v));
                if (i > 0) {
                    b.append(", ");
                }
                Json.string(b, h.toLowerCase(Locale.ROOT).replace('-', '_')).append(": ");
                if (value == null || value.isEmpty()) {
                    b.append("null");
                } else {
                    Json.string(b, value);
                }
            }
            b.append('}');
        }
        b.append(vms.isEmpty() ? "]" : "\n]");
        out.println(b);
    }
}
