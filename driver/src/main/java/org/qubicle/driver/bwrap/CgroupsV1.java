package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.qubicle.driver.SandboxSpec;

/**
 * cgroup v1: memory, cpu (CFS quota), pids and freezer, each in its own hierarchy, and cpuacct
 * (the CPU time a qube used) where the host has it, usually mounted together with cpu.
 */
record CgroupsV1(Map<String, Path> mounts) implements Cgroups {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids", "freezer");
    /** Optional: without it a qube's CPU time is unknown. */
    static final String ACCOUNTING = "cpuacct";
    static final long CFS_PERIOD_US = 100_000;

    CgroupsV1 {
        mounts = Map.copyOf(mounts);
    }

    private List<Path> dirs(String leaf) {
        // Controllers mounted together (cpu,cpuacct) share a directory; keep each once.
        return Stream.concat(CONTROLLERS.stream(), Stream.of(ACCOUNTING))
                .filter(mounts::containsKey).map(c -> dir(c, leaf)).distinct().toList();
    }

    private QubeCgroup handle(String leaf) {
        return new QubeCgroup(dirs(leaf), dir("memory", leaf), dir("freezer", leaf), dir("pids", leaf),
                dir(mounts.containsKey(ACCOUNTING) ? ACCOUNTING : "cpu", leaf), false);
    }

    private Path dir(String controller, String leaf) {
        return mounts.get(controller).resolve(PARENT).resolve(leaf);
    }

    @Override
    public QubeCgroup create(String leaf, SandboxSpec spec) throws IOException {
        for (Path d : dirs(leaf)) {
            Files.createDirectories(d);
        }
        QubeCgroup cg = handle(leaf);
        try {
            Path mem = dir("memory", leaf);
            QubeCgroup.write(mem.resolve("memory.limit_in_bytes"), Long.toString(spec.memoryLimitBytes()));
            QubeCgroup.write(mem.resolve("memory.soft_limit_in_bytes"), Long.toString((long) spec.memoryMiB() << 20));
            Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                QubeCgroup.write(memsw, Long.toString(spec.memoryLimitBytes()));
            }
            Path swappiness = mem.resolve("memory.swappiness");
            if (Files.exists(swappiness)) {
                try {
                    QubeCgroup.write(swappiness, "0");
                } catch (IOException e) {
                    // read-only on some kernels; swap is also capped by memsw above
                }
            }
            Path cpu = dir("cpu", leaf);
            QubeCgroup.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
            QubeCgroup.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(CFS_PERIOD_US * spec.vcpus()));
            QubeCgroup.write(dir("pids", leaf).resolve("pids.max"), Integer.toString(spec.pidsLimit()));
            QubeCgroup.write(dir("freezer", leaf).resolve("freezer.state"), "THAWED");
        } catch (IOException | RuntimeException e) {
            cg.remove();
            throw e;
        }
        return cg;
    }

    @Override
    public Optional<QubeCgroup> find(String leaf) {
        return Files.isDirectory(dir("pids", leaf)) ? Optional.of(handle(leaf)) : Optional.empty();
    }

    @Override
    public List<Path> allQubeDirs() {
        List<Path> out = new ArrayList<>();
        for (Path m : mounts.values().stream().distinct().toList()) {
            Path parent = m.resolve(PARENT);
            if (Files.isDirectory(parent)) {
                try (Stream<Path> s = Files.list(parent)) {
                    s.filter(Files::isDirectory).forEach(out::add);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return "cgroup v1 " + mounts;
    }
}
