package org.qubicle.driver.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.qubicle.driver.bwrap.BwrapDriver;

/**
 * For tests: what qubes may leave behind on the host, so a test can prove it left nothing.
 * A snapshot holds the /proc/mounts lines that mention {@code qubicle}, the cgroup
 * directories under the {@code qubicle} parents, the running {@code bwrap} processes,
 * processes owned by qube uids (100000 and up), and the attached loop devices.
 * Namespaces live only as long as a process or a mount holds them, so these cover them.
 *
 * <pre>{@code
 * LeakCheck.Snapshot before = LeakCheck.snapshot();
 * ... start and stop qubes ...
 * LeakCheck.assertNoLeaks(before);   // waits briefly for exiting processes, then fails
 * // When other tests run on the same host at the same time, count only your own things:
 * LeakCheck.assertNoLeaks(before, testDir.toString(), "index=7300", "my-qube-name");
 * }</pre>
 * Process lines read {@code PID COMM uid=UID index=N} ({@code N} is the qube index whose
 * uid range holds UID); cgroup lines are paths ending in the qube name plus a hash.
 */
public final class LeakCheck {
    private LeakCheck() {
    }

    /** What was on the host at one moment. Each entry is a human-readable line. */
    public record Snapshot(Set<String> mounts, Set<String> cgroups, Set<String> processes, Set<String> loops) {
        public Snapshot {
            mounts = Set.copyOf(mounts);
            cgroups = Set.copyOf(cgroups);
            processes = Set.copyOf(processes);
            loops = Set.copyOf(loops);
        }

        /** Entries present here but not in {@code before}. */
        public List<String> newSince(Snapshot before) {
            List<String> out = new ArrayList<>();
            add(out, "mount", mounts, before.mounts);
            add(out, "cgroup", cgroups, before.cgroups);
            add(out, "process", processes, before.processes);
            add(out, "loop", loops, before.loops);
            return out;
        }

        private static void add(List<String> out, String kind, Set<String> now, Set<String> then) {
            for (String s : new TreeSet<>(now)) {
                if (!then.contains(s)) {
                    out.add(kind + ": " + s);
                }
            }
        }
    }

    public static Snapshot snapshot() {
        return new Snapshot(mounts(), cgroups(), processes(), loops());
    }

    /**
     * Fails when something new stays for more than about five seconds. With
     * {@code scope}, only new entries containing one of these strings count.
     */
    public static void assertNoLeaks(Snapshot before, String... scope) {
        List<String> leaked = List.of();
        for (int i = 0; i < 100; i++) {
            leaked = snapshot().newSince(before).stream()
                    .filter(l -> scope.length == 0 || java.util.Arrays.stream(scope).anyMatch(l::contains)).toList();
            if (leaked.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("left behind:\n  " + String.join("\n  ", leaked));
    }

    static Set<String> mounts() {
        Set<String> out = new TreeSet<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                if (l.contains("qubicle")) {
                    out.add(l);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static Set<String> cgroups() {
        Set<String> out = new TreeSet<>();
        BwrapDriver.cgroupDirs().forEach(p -> out.add(p.toString()));
        return out;
    }

    static Set<String> processes() {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String comm = Files.readString(p.resolve("comm")).strip();
                    long uid = uid(p);
                    if (comm.equals("bwrap") || uid >= 100_000) {
                        out.add(pid + " " + comm + " uid=" + uid
                                + (uid >= 100_000 ? " index=" + (uid - 100_000) / 65_536 : ""));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static long uid(Path proc) throws IOException {
        for (String l : Files.readAllLines(proc.resolve("status"))) {
            if (l.startsWith("Uid:")) {
                return Long.parseLong(l.split("\\s+")[1]);
            }
        }
        return -1;
    }

    static Set<String> loops() {
        Set<String> out = new TreeSet<>();
        Path block = Path.of("/sys/block");
        if (!Files.isDirectory(block)) {
            return out;
        }
        try (Stream<Path> s = Files.list(block)) {
            for (Path p : s.toList()) {
                Path backing = p.resolve("loop/backing_file");
                if (p.getFileName().toString().startsWith("loop") && Files.exists(backing)) {
                    out.add(p.getFileName() + " " + Files.readString(backing).strip());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
