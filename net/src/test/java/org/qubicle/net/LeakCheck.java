package org.qubicle.net;

import java.util.ArrayList;
import java.util.List;

/**
 * What the network layer could leave behind on the host: namespaces, links and nft tables
 * in the host's namespace. Take a snapshot before, compare after.
 */
record LeakCheck(List<String> lines) {
    static LeakCheck snapshot() {
        List<String> out = new ArrayList<>();
        Cmd.run(null, "ip", "netns", "list").lines().forEach(l -> out.add("netns " + l.split(" ")[0]));
        Cmd.run(null, "nft", "list", "tables").lines().forEach(l -> out.add("nft " + l));
        Cmd.run(null, "ip", "-o", "link", "show").lines()
                .forEach(l -> out.add("link " + l.split(":")[1].strip().split("@")[0]));
        out.sort(null);
        return new LeakCheck(out);
    }

    /** The lines present now that were not before. */
    static List<String> leaksSince(LeakCheck before) {
        List<String> now = new ArrayList<>(snapshot().lines());
        now.removeAll(before.lines());
        return now;
    }
}
