package org.qubicle.cli;

import java.util.Collections;
import java.util.Iterator;

/**
 * Marks positions that take a qube name. The names are not known when the completion
 * script is generated; scripts/gen-completion turns this marker into a call of
 * {@code qvm-ls --raw-list}.
 */
final class QubeNames implements Iterable<String> {
    /** The word the completion generator replaces with a live qube list. */
    static final String MARKER = "__QUBE_NAMES__";

    @Override
    public Iterator<String> iterator() {
        return Collections.singletonList(MARKER).iterator();
    }
}
