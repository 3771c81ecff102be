package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ADMIN_VM;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesPoolInUseError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.storage.Pool;
import org.qubicle.model.storage.VolumeConfig;

/**
 * {@code admin.pool.*} at the metadata level: the pool table in qubes.xml. The storage module
 * does the real work behind it; an unknown pool is an argument outside the allowed set
 * ({@code PermissionDenied}), as in qubesd.
 */
final class PoolHandlers {
    private PoolHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.pool.List", NONE, Payload.NONE, ADMIN_VM, READ, call -> {
            List<String> names = new ArrayList<>();
            call.app().pools().all().forEach(p -> names.add(p.name()));
            return Replies.lines(names);
        });
        b.add("admin.pool.ListDrivers", NONE, Payload.NONE, ADMIN_VM, READ, call -> {
            StringBuilder sb = new StringBuilder();
            call.app().pools().drivers().forEach((d, params) -> sb.append(d).append(params.isEmpty() ? "" : " ")
                    .append(String.join(" ", params)).append('\n'));
            return sb.toString();
        });
        b.add("admin.pool.Info", REQUIRED, Payload.NONE, ADMIN_VM, READ, call -> {
            Pool p = pool(call);
            Map<String, String> info = new TreeMap<>(p.config());
            info.put("name", p.name());
            info.put("driver", p.driver());
            return keyValues(info);
        });
        b.add("admin.pool.UsageDetails", REQUIRED, Payload.NONE, ADMIN_VM, READ, call -> usage(pool(call)));
        b.add("admin.pool.Add", REQUIRED, Payload.REQUIRED, ADMIN_VM, WRITE, PoolHandlers::add);
        b.add("admin.pool.Remove", REQUIRED, Payload.NONE, ADMIN_VM, WRITE, call -> {
            Pool p = pool(call);
            for (Qube q : call.app().qubes()) {
                for (VolumeConfig v : q.volumes().values()) {
                    if (v.pool().equals(p.name())) {
                        throw new QubesPoolInUseError("Pool " + p.name() + " still holds volumes (" + q.name() + ")");
                    }
                }
            }
            for (String g : call.app().globals().propertyNames()) {
                if (g.startsWith("default_pool") && call.app().globals().isSet(g)
                        && call.app().globals().get(g).text().equals(p.name())) {
                    throw new QubesPoolInUseError("Pool " + p.name() + " is the global " + g);
                }
            }
            call.app().pools().remove(p.name());
            return "";
        });
        b.add("admin.pool.Set.revisions_to_keep", REQUIRED, Payload.REQUIRED, ADMIN_VM, WRITE, call -> {
            Pool p = pool(call);
            int n = Ints.parse(call.untrustedPayloadAsciiStrict(), -1);
            if (!call.app().pools().drivers().getOrDefault(p.driver(), List.of()).contains("revisions_to_keep")) {
                throw new QubesValueError("Pool driver " + p.driver() + " has no revisions_to_keep");
            }
            call.app().pools().replace(p.with("revisions_to_keep", Integer.toString(n)));
            return "";
        });
    }

    private static Pool pool(Call call) {
        return call.app().pools().find(call.arg()).orElseThrow(() -> new PermissionDenied("Argument not in 'pools'"));
    }

    private static String keyValues(Map<String, String> map) {
        StringBuilder sb = new StringBuilder();
        map.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /** Sizes of the file system behind a directory pool; nothing for other drivers. */
    private static String usage(Pool p) {
        String dir = p.config().get("dir_path");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            return "";
        }
        try {
            FileStore fs = Files.getFileStore(Path.of(dir));
            return "data_size=" + fs.getTotalSpace() + "\ndata_usage=" + (fs.getTotalSpace() - fs.getUnallocatedSpace()) + "\n";
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code name=P\nkey=value\n...}: only the driver's own parameters are allowed. */
    private static String add(Call call) {
        String driver = call.arg();
        List<String> params = call.app().pools().drivers().get(driver);
        if (params == null) {
            throw new PermissionDenied("Argument not in 'pool drivers'");
        }
        TreeMap<String, String> config = new TreeMap<>();
        String name = null;
        for (String untrustedLine : call.untrustedPayloadAsciiStrict().split("\n")) {
            if (untrustedLine.isEmpty()) {
                continue;
            }
            int eq = untrustedLine.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolError("Invalid pool parameter line");
            }
            String key = untrustedLine.substring(0, eq);
            String value = untrustedLine.substring(eq + 1);
            if (key.equals("name")) {
                name = value;
            } else if (!params.contains(key)) {
                throw new ProtocolError("unexpected parameter(s) for driver " + driver);
            } else if (!value.matches("[A-Za-z0-9_./:+-]*")) {
                throw new QubesValueError("Invalid value for pool parameter " + key);
            } else if (config.put(key, value) != null) {
                throw new ProtocolError("duplicated parameter " + key);
            }
        }
        if (name == null) {
            throw new ProtocolError("Pool name missing");
        }
        if (params.contains("dir_path") && !config.containsKey("dir_path")) {
            throw new QubesException("Missing required parameter dir_path for driver " + driver);
        }
        if (config.containsKey("revisions_to_keep")) {
            Ints.parse(config.get("revisions_to_keep"), -1);
        }
        call.app().pools().add(new Pool(name, driver, config));
        return "";
    }
}
