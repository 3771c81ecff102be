package org.qubicle.driver.bwrap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small readers of /proc and the host's tools, shared by the driver's parts. */
final class Host {
    private static final List<String> BIN_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private Host() {
    }

    static Optional<Path> tool(String name) {
        for (String d : BIN_DIRS) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static String requireTool(String name) {
        return tool(name).orElseThrow(() -> new IllegalStateException(name + " not found")).toString();
    }

    /** Direct children of a process (all its threads' children). */
    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                String s = Files.readString(t.resolve("children")).trim();
                if (!s.isEmpty()) {
                    for (String c : s.split("\\s+")) {
                        out.add(Long.parseLong(c));
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return out;
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks), or -1 when gone; tells pid reuse apart. */
    static long startTime(long pid) {
        try {
            return Long.parseLong(statAfterName(pid).split(" ")[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether the process is exiting (PF_EXITING in the flags of /proc/PID/stat: a killed pid
     * namespace init stays so while it waits for the namespace's other processes), has
     * exited and waits to be reaped (state Z or X), or is gone.
     */
    static boolean exited(long pid) {
        try {
            String[] f = statAfterName(pid).split(" ");
            char state = f[0].charAt(0);
            return state == 'Z' || state == 'X' || (Long.parseLong(f[6]) & PF_EXITING) != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static final long PF_EXITING = 0x4;

    /** /proc/PID/stat from field 3 (the state) on: the command name before it may hold spaces. */
    private static String statAfterName(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return s.substring(s.lastIndexOf(')') + 2);
    }

    /** The namespace link ({@code user:[4026...]}) of a process, or empty when gone. */
    static String ns(Object pid, String kind) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid.toString(), "ns", kind)).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** True when the process has a handler for {@code signal} (SigCgt in /proc/PID/status). */
    static boolean catches(long pid, int signal) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("SigCgt:")) {
                    long mask = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (mask & (1L << (signal - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static void kill(long pid, int signal) {
        try {
            run(List.of("kill", "-" + signal, Long.toString(pid)));
        } catch (IOException e) {
            // best effort: the process may be gone
        }
    }

    static boolean isRoot() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    return l.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
