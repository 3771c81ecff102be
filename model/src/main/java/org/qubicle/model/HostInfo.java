package org.qubicle.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Facts about the host that properties read: its memory and CPUs (global {@code maxmem}
 * and {@code no_cpus}) and the isolation drivers that can run here ({@code virt_mode}).
 */
public record HostInfo(long memoryMib, int cpus, String defaultVirtMode, Set<String> virtModes) {
    public HostInfo {
        virtModes = Set.copyOf(virtModes);
    }

    /** Reads memory and CPUs from this machine; the driver list defaults to bubblewrap. */
    public static HostInfo probe() {
        long mib = meminfoBytes("MemTotal").orElse(Runtime.getRuntime().maxMemory()) >> 20;
        return new HostInfo(mib, Runtime.getRuntime().availableProcessors(), "bwrap", Set.of("bwrap"));
    }

    /** A field of {@code /proc/meminfo} ({@code MemTotal}, {@code MemAvailable}) in bytes, if readable. */
    public static OptionalLong meminfoBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: the caller's fallback
        }
        return OptionalLong.empty();
    }
}
