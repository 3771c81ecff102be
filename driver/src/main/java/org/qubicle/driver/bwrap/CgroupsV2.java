package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.qubicle.driver.SandboxSpec;

/**
 * cgroup v2: one directory per qube under {@code <root>/qubicle}, with memory.max,
 * memory.swap.max 0, cpu.max and pids.max. The freezer is built in (cgroup.freeze).
 */
record CgroupsV2(Path root) implements Cgroups {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");

    static List<String> controllers(Path dir) {
        try {
            return List.of(Files.readString(dir.resolve("cgroup.controllers")).trim().split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private Path dir(String leaf) {
        return root.resolve(PARENT).resolve(leaf);
    }

    private QubeCgroup handle(String leaf) {
        Path d = dir(leaf);
        return new QubeCgroup(List.of(d), d, d, d, d, true);
    }

    @Override
    public QubeCgroup create(String leaf, SandboxSpec spec) throws IOException {
        Path parent = root.resolve(PARENT);
        Files.createDirectories(parent);
        // Delegate the controllers down: root -> qubicle -> qube.
        QubeCgroup.write(root.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
        QubeCgroup.write(parent.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
        Path d = dir(leaf);
        Files.createDirectories(d);
        QubeCgroup cg = handle(leaf);
        try {
            QubeCgroup.write(d.resolve("memory.max"), Long.toString(spec.memoryLimitBytes()));
            QubeCgroup.write(d.resolve("memory.low"), "0");
            if (Files.exists(d.resolve("memory.swap.max"))) {
                QubeCgroup.write(d.resolve("memory.swap.max"), "0");
            }
            QubeCgroup.write(d.resolve("cpu.max"), (100_000L * spec.vcpus()) + " 100000");
            QubeCgroup.write(d.resolve("pids.max"), Integer.toString(spec.pidsLimit()));
        } catch (IOException | RuntimeException e) {
            cg.remove();
            throw e;
        }
        return cg;
    }

    @Override
    public Optional<QubeCgroup> find(String leaf) {
        return Files.isDirectory(dir(leaf)) ? Optional.of(handle(leaf)) : Optional.empty();
    }

    @Override
    public List<Path> allQubeDirs() {
        Path parent = root.resolve(PARENT);
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(parent)) {
            try (Stream<Path> s = Files.list(parent)) {
                s.filter(Files::isDirectory).forEach(out::add);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return "cgroup v2 at " + root;
    }
}
