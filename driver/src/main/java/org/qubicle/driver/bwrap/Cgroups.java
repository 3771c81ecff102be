package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.driver.SandboxSpec;

/**
 * The host's cgroup layout, detected from {@code /proc/self/mounts}. Qube cgroups live
 * under a {@code qubicle} parent: in each v1 hierarchy we need (memory, cpu, pids,
 * freezer), or in the v2 unified hierarchy when those are not all on v1.
 */
sealed interface Cgroups permits CgroupsV1, CgroupsV2 {
    String PARENT = "qubicle";

    /** Creates (or adopts, when it exists) the cgroup of a qube and sets its limits. */
    QubeCgroup create(String leaf, SandboxSpec spec) throws IOException;

    /** The existing cgroup of a qube, if any. */
    Optional<QubeCgroup> find(String leaf);

    /** Directories under the qubicle parent, across hierarchies (for leak checks). */
    List<Path> allQubeDirs();

    String describe();

    /** Detects the layout, or explains why there is no usable one. */
    static Detected detect() {
        List<String> v1Missing = new ArrayList<>();
        Path v2 = null;
        java.util.Map<String, Path> v1 = new java.util.HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length < 4) {
                    continue;
                }
                if (f[2].equals("cgroup2")) {
                    v2 = v2 == null || f[1].equals("/sys/fs/cgroup") ? Path.of(f[1]) : v2;
                } else if (f[2].equals("cgroup")) {
                    for (String opt : f[3].split(",")) {
                        if (CgroupsV1.CONTROLLERS.contains(opt) || opt.equals(CgroupsV1.ACCOUNTING)) {
                            v1.put(opt, Path.of(f[1]));
                        }
                    }
                }
            }
        } catch (IOException e) {
            return new Detected(null, List.of("cannot read /proc/self/mounts: " + e.getMessage()));
        }
        for (String c : CgroupsV1.CONTROLLERS) {
            if (!v1.containsKey(c)) {
                v1Missing.add(c);
            }
        }
        if (v1Missing.isEmpty()) {
            return new Detected(new CgroupsV1(v1), List.of());
        }
        List<String> why = new ArrayList<>();
        if (v2 != null) {
            List<String> have = CgroupsV2.controllers(v2);
            List<String> missing = new ArrayList<>();
            for (String c : CgroupsV2.CONTROLLERS) {
                if (!have.contains(c)) {
                    missing.add(c);
                }
            }
            if (missing.isEmpty() && Files.isWritable(v2)) {
                return new Detected(new CgroupsV2(v2), List.of());
            }
            why.add("cgroup v2 at " + v2 + " lacks controllers " + missing);
        } else {
            why.add("no cgroup v2 mount");
        }
        if (!v1.isEmpty()) {
            why.add("cgroup v1 lacks controllers " + v1Missing);
        }
        return new Detected(null, why);
    }

    /** The detected layout, or null with the reasons. */
    record Detected(Cgroups cgroups, List<String> reasons) {
    }
}
