package org.qubicle.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * qvm-ls {@code --tree}: qubes without network first, then each network provider with no
 * netvm followed by its clients, depth-first. As in the real tool, a qube whose netvm is
 * not itself reachable from such a root is left out.
 */
final class LsTree {
    private final List<LsQube> domains;

    LsTree(List<LsQube> sortedDomains) {
        this.domains = new ArrayList<>(sortedDomains);
    }

    /** Pairs {depth, qube}. */
    List<Object[]> build() {
        List<Object[]> tree = new ArrayList<>();
        List<LsQube> all = List.copyOf(domains);
        for (LsQube vm : all) {
            if (vm.prop("netvm") == null && !vm.flag("provides_network")) {
                tree.add(new Object[] {0, vm});
                domains.remove(vm);
            }
        }
        for (LsQube vm : List.copyOf(domains)) {
            if (vm.prop("netvm") == null && vm.flag("provides_network")) {
                tree.add(new Object[] {0, vm});
                domains.remove(vm);
                children(all, vm, 1, tree);
            }
        }
        return tree;
    }

    private void children(List<LsQube> all, LsQube parent, int level, List<Object[]> tree) {
        for (LsQube child : all) {
            if (!parent.name().equals(child.prop("netvm")) || !domains.contains(child)) {
                continue;
            }
            tree.add(new Object[] {level, child});
            if (child.flag("provides_network")) {
                children(all, child, level + 1, tree);
            }
        }
    }
}
