package org.qubicle.model;

import java.util.Map;
import java.util.Optional;
import org.qubicle.model.storage.VolumeConfig;

/**
 * The volumes a new qube gets, by class ({@code specs/qubes-model.md} section 7.2):
 * root, private, volatile and kernel, with Qubes' sizes and flags.
 */
final class VolumeDefaults {
    static final long ROOT_SIZE = 10 * VolumeConfig.GIB;
    static final long PRIVATE_SIZE = 2 * VolumeConfig.GIB;

    private VolumeDefaults() {
    }

    static void create(Qube q, Map<String, String> pools) {
        String dir = q.klass().directory() + "/" + q.name() + "/";
        boolean origin = !q.klass().hasTemplate();
        Optional<Qube> t = q.template();
        long rootSize = t.map(x -> x.volumes().get("root")).map(VolumeConfig::size).orElse(ROOT_SIZE);
        q.putVolume(volume(q, pools, "root", dir, rootSize, true, origin, !origin));
        boolean disp = q.klass() == QubeClass.DISP_VM;
        long privSize = t.filter(x -> disp).map(x -> x.volumes().get("private")).map(VolumeConfig::size).orElse(PRIVATE_SIZE);
        q.putVolume(volume(q, pools, "private", dir, privSize, true, !disp, disp));
        q.putVolume(volume(q, pools, "volatile", dir, disp ? 12 * VolumeConfig.GIB : 10 * VolumeConfig.GIB, true, false, false));
        String kernelPool = pool(q, pools, "kernel");
        q.putVolume(new VolumeConfig("kernel", kernelPool, q.get("kernel").text(), 0, false, false, false,
                Optional.empty(), 0, Optional.empty()));
    }

    private static VolumeConfig volume(Qube q, Map<String, String> pools, String name, String dir, long size,
            boolean rw, boolean saveOnStop, boolean snapOnStart) {
        String pool = pool(q, pools, name);
        int revisions = q.app().pools().find(pool).map(p -> p.revisionsToKeep()).orElse(1);
        return new VolumeConfig(name, pool, dir + name, size, rw, saveOnStop, snapOnStart, Optional.empty(),
                saveOnStop ? revisions : 0, Optional.empty());
    }

    private static String pool(Qube q, Map<String, String> pools, String volume) {
        String explicit = pools.getOrDefault(volume, pools.get(""));
        if (explicit != null) {
            return q.app().pools().get(explicit).name();
        }
        return q.app().globals().get("default_pool_" + volume).text();
    }
}
