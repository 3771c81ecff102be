package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One qube's cgroup: one directory per v1 hierarchy, or one v2 directory. Processes join
 * by writing their pid to every {@link #procsFiles()} entry before they exec bwrap.
 */
final class QubeCgroup {
    private final List<Path> dirs;
    private final Path memory;
    private final Path freezer;
    private final Path pids;
    private final Path cpu;
    private final boolean v2;

    QubeCgroup(List<Path> dirs, Path memory, Path freezer, Path pids, Path cpu, boolean v2) {
        this.dirs = List.copyOf(dirs);
        this.memory = memory;
        this.freezer = freezer;
        this.pids = pids;
        this.cpu = cpu;
        this.v2 = v2;
    }

    List<Path> dirs() {
        return dirs;
    }

    List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** Every pid in the qube (union over the hierarchies). */
    Set<Long> pids() {
        Set<Long> all = new LinkedHashSet<>();
        for (Path d : dirs) {
            try {
                for (String s : Files.readAllLines(d.resolve("cgroup.procs"))) {
                    if (!s.isBlank()) {
                        all.add(Long.parseLong(s.trim()));
                    }
                }
            } catch (NoSuchFileException e) {
                // already removed
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return all;
    }

    void freeze(boolean frozen) throws IOException {
        if (v2) {
            write(freezer.resolve("cgroup.freeze"), frozen ? "1" : "0");
        } else {
            write(freezer.resolve("freezer.state"), frozen ? "FROZEN" : "THAWED");
        }
    }

    /** True once the freezer has reached the frozen state. */
    boolean frozen() throws IOException {
        if (v2) {
            for (String l : Files.readAllLines(freezer.resolve("cgroup.events"))) {
                if (l.equals("frozen 1")) {
                    return true;
                }
            }
            return false;
        }
        return Files.readString(freezer.resolve("freezer.state")).trim().equals("FROZEN");
    }

    long memoryBytes() throws IOException {
        return readLong(memory.resolve(v2 ? "memory.current" : "memory.usage_in_bytes"));
    }

    long pidsCurrent() throws IOException {
        return readLong(pids.resolve("pids.current"));
    }

    long cpuNanos() throws IOException {
        if (v2) {
            for (String l : Files.readAllLines(cpu.resolve("cpu.stat"))) {
                if (l.startsWith("usage_usec ")) {
                    return Long.parseLong(l.substring(11).trim()) * 1000;
                }
            }
            return -1;
        }
        Path acct = cpu.resolve("cpuacct.usage");
        return Files.exists(acct) ? readLong(acct) : -1;
    }

    /** SIGKILLs every process until none is left, thawing first (frozen tasks die only when thawed). */
    void killAll() throws IOException {
        if (v2 && Files.exists(dirs.get(0).resolve("cgroup.kill"))) {
            write(dirs.get(0).resolve("cgroup.kill"), "1");
        }
        try {
            freeze(false);
        } catch (NoSuchFileException e) {
            return;
        }
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Removes the directories; waits briefly for exiting processes to leave. Killed
     * processes leave within a few ms, so the wait between tries starts at 0.25 ms and
     * doubles up to 10 ms: a fixed 10 ms cost every stop of a qube whose processes were
     * still exiting at the first try. About 5 s in all before giving up.
     */
    void remove() throws IOException {
        List<IOException> errors = new ArrayList<>();
        long pauseMicros = 250;
        for (int attempt = 0; attempt < 510; attempt++) {
            errors.clear();
            for (Path d : dirs) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    errors.add(e);
                }
            }
            if (errors.isEmpty()) {
                return;
            }
            killAll();
            sleepMicros(pauseMicros);
            pauseMicros = Math.min(pauseMicros * 2, 10_000);
        }
        throw errors.get(0);
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value, StandardOpenOption.WRITE);
    }

    static long readLong(Path file) throws IOException {
        String s = Files.readString(file).trim();
        return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    private static void sleepMicros(long micros) {
        try {
            Thread.sleep(java.time.Duration.ofNanos(micros * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
