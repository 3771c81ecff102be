package org.qubicle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    /** The same input as util-linux 2.38 {@code column -t -s $'\x1f'} was checked with. */
    @Test
    void matchesColumnDashT() {
        StringWriter s = new StringWriter();
        Table.print(new PrintWriter(s, true), List.of(List.of("a", "bb", "c"), List.of("ccc", "", "dd"),
                List.of("", ""), List.of("x", "y")));
        assertEquals("a    bb  c\nccc      dd\n         \nx    y   \n", s.toString());
    }

    @Test
    void pythonRepr() {
        assertEquals("'work'", Py.repr("work"));
        assertEquals("\"it's\"", Py.repr("it's"));
        assertEquals("'a\\nb'", Py.repr("a\nb"));
        assertEquals(true, Py.fnmatch("sys-net", "sys-*"));
        assertEquals(false, Py.fnmatch("work", "[!w]*"));
    }
}
