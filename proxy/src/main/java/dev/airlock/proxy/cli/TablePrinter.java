package dev.airlock.proxy.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain-text tables for the admin CLI: columns as wide as their content, capped, the last one free. */
final class TablePrinter {
    private TablePrinter() {
    }

    static void print(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        Map<Integer, Integer> cap = new LinkedHashMap<>();
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            cap.put(i, i == width.length - 1 ? Integer.MAX_VALUE : 60);
        }
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.min(cap.get(i), Math.max(width[i], r.get(i).length()));
            }
        }
        out.println(line(header, width));
        rows.forEach(r -> out.println(line(r, width)));
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i).replace('\n', ' ');
            if (i < cells.size() - 1) {
                c = c.length() > width[i] ? c.substring(0, width[i] - 1) + "~" : c;
                b.append(String.format("%-" + width[i] + "s  ", c));
            } else {
                b.append(c);
            }
        }
        return b.toString().stripTrailing();
    }
}
