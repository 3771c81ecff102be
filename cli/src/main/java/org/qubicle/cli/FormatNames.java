package org.qubicle.cli;

import java.util.Iterator;

/** The {@code --format} names, for help and completion. */
final class FormatNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return LsColumns.FORMATS.keySet().iterator();
    }
}
