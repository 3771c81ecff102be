package org.qubicle.cli;

import java.util.List;
import java.util.Map;

/** A {@code VM:VOLUME} argument of qvm-volume, resolved against the daemon. */
record VolumeRef(String vm, String name) {
    /** Resolves as qubesadmin's VMVolumeAction: syntax is usage (2), the rest runtime (1). */
    static VolumeRef resolve(Qubes qubes, String arg) {
        String[] parts = arg.split(":", -1);
        if (parts.length != 2) {
            throw new UsageError("expected a vm & volume combination like foo:bar");
        }
        if (!qubes.domains().containsKey(parts[0])) {
            throw new ToolExit(1, "no vm " + Py.repr(parts[0]));
        }
        List<String> volumes = Qubes.lines(qubes.call(parts[0], "admin.vm.volume.List", null, null));
        if (!volumes.contains(parts[1])) {
            throw new ToolExit(1, "vm " + Py.repr(parts[0]) + " has no volume " + Py.repr(parts[1]));
        }
        return new VolumeRef(parts[0], parts[1]);
    }

    Map<String, String> info(Qubes qubes) {
        return Qubes.keyValues(qubes.call(vm, "admin.vm.volume.Info", name, null));
    }

    List<String> revisions(Qubes qubes) {
        return Qubes.lines(qubes.call(vm, "admin.vm.volume.ListSnapshots", name, null));
    }

    void call(Qubes qubes, String method, String payload) {
        qubes.call(vm, "admin.vm.volume." + method, name, payload);
    }

    @Override
    public String toString() {
        return vm + ":" + name;
    }

    /** qubesadmin's parse_size: digits, or a number with K, KB, M, MB, G, GB, Ki(B), Mi(B), Gi(B). */
    static long parseSize(String text) {
        String size = text.strip().toUpperCase(java.util.Locale.ROOT);
        if (!size.isEmpty() && size.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(size);
        }
        String[][] units = {{"K", "1000"}, {"KB", "1000"}, {"M", "1000000"}, {"MB", "1000000"},
            {"G", "1000000000"}, {"GB", "1000000000"}, {"KI", "1024"}, {"KIB", "1024"},
            {"MI", "1048576"}, {"MIB", "1048576"}, {"GI", "1073741824"}, {"GIB", "1073741824"}};
        for (String[] u : units) {
            if (size.endsWith(u[0])) {
                String number = size.substring(0, size.length() - u[0].length()).strip();
                try {
                    return Math.multiplyExact(Long.parseLong(number), Long.parseLong(u[1]));
                } catch (NumberFormatException | ArithmeticException e) {
                    break;
                }
            }
        }
        throw new org.qubicle.model.exc.QubesException("Invalid size: " + size + ".");
    }
}
