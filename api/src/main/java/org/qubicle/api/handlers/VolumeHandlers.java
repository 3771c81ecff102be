package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Arg.REQUIRED;
import static org.qubicle.api.ApiMethod.Dest.ANY;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.Call;
import org.qubicle.api.Handler;
import org.qubicle.api.MethodTable;
import org.qubicle.model.PowerState;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.exc.QubesVolumeCopyTokenNotFoundError;
import org.qubicle.model.exc.StoragePoolException;
import org.qubicle.model.storage.VolumeConfig;

/**
 * {@code admin.vm.volume.*}. Without a {@link VolumeBackend} (the standard table, unit tests)
 * at the metadata level: Resize and CloneTo change only the recorded size and there are no
 * revisions. With one (the daemon, {@link VolumeDataHandlers}) the data moves too: see
 * {@link VolumeDataCalls}.
 */
final class VolumeHandlers {
    private final VolumeBackend backend;

    VolumeHandlers() {
        this(null);
    }

    VolumeHandlers(VolumeBackend backend) {
        this.backend = backend;
    }

    /** Pending CloneFrom tokens, as qubesd keeps them: in memory, used once. */
    private final Map<String, Source> tokens = new LinkedHashMap<>();
    private static final int MAX_TOKENS = 1024;
    private final SecureRandom random = new SecureRandom();

    record Source(String qube, String volume) {
    }

    void register(MethodTable.Builder b) {
        if (backend != null) {
            new VolumeDataCalls(backend, tokens).register(b);
        }
        b.add("admin.vm.volume.List", NONE, Payload.NONE, ANY, READ,
                call -> Replies.lines(call.dest().volumes().keySet()));
        if (backend == null) b.add("admin.vm.volume.Info", REQUIRED, Payload.NONE, ANY, READ, (Handler.Plain) VolumeHandlers::info);
        if (backend == null) b.add("admin.vm.volume.ListSnapshots", REQUIRED, Payload.NONE, ANY, READ, call -> {
            volume(call);
            return "";
        });
        b.add("admin.vm.volume.Set.revisions_to_keep", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = volume(call);
            int n = Ints.parse(call.untrustedPayloadAsciiStrict(), -1);
            call.dest().putVolume(v.withRevisionsToKeep(n));
            return "";
        });
        b.add("admin.vm.volume.Set.rw", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = volume(call);
            boolean rw = parseBool(call.untrustedPayloadAscii());
            halted(call.dest());
            call.dest().putVolume(v.withRw(rw));
            return "";
        });
        if (backend == null) b.add("admin.vm.volume.Resize", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = volume(call);
            long size = Ints.size(call.untrustedPayloadAsciiStrict());
            if (size < v.size()) {
                throw new StoragePoolException("For your own safety, shrinking of " + v.name() + " is disabled ("
                        + size + " < " + v.size() + ").");
            }
            call.dest().putVolume(v.withSize(size));
            return "";
        });
        b.add("admin.vm.volume.CloneFrom", REQUIRED, Payload.NONE, ANY, READ, call -> {
            VolumeConfig v = volume(call);
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String token = HexFormat.of().formatHex(bytes);
            if (tokens.size() >= MAX_TOKENS) {
                tokens.remove(tokens.keySet().iterator().next());
            }
            tokens.put(token, new Source(call.dest().name(), v.name()));
            return token;
        });
        if (backend == null) b.add("admin.vm.volume.CloneTo", REQUIRED, Payload.REQUIRED, ANY, WRITE, call -> {
            VolumeConfig v = volume(call);
            String untrustedToken = call.untrustedPayloadAsciiStrict();
            Source src = tokens.get(untrustedToken);
            if (src == null) {
                throw new QubesVolumeCopyTokenNotFoundError("Invalid token");
            }
            halted(call.dest());
            tokens.remove(untrustedToken);
            long size = call.app().find(src.qube()).map(q -> q.volumes().get(src.volume()))
                    .map(VolumeConfig::size).orElseThrow(() -> new QubesValueError("Source volume is gone"));
            call.dest().putVolume(v.withSize(Math.max(size, v.size())));
            return "";
        });
    }

    static String info(Call call) {
        return info(call, Map.of());
    }

    static String info(Call call, Map<String, String> data) {
        VolumeConfig v = volume(call);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pool", v.pool());
        m.put("vid", v.vid());
        m.put("size", Long.toString(v.size()));
        m.put("usage", "0");
        m.put("rw", Replies.bool(v.rw()));
        m.put("source", call.dest().volumeSource(v.name()).orElse(""));
        m.put("path", "");
        m.put("save_on_stop", Replies.bool(v.saveOnStop()));
        m.put("snap_on_start", Replies.bool(v.snapOnStart()));
        m.put("revisions_to_keep", Integer.toString(v.revisionsToKeep()));
        m.put("ephemeral", Replies.bool(v.ephemeral().orElse(false)));
        m.putAll(data);
        StringBuilder sb = new StringBuilder();
        m.forEach((k, val) -> sb.append(k).append('=').append(val).append('\n'));
        return sb.toString();
    }

    static VolumeConfig volume(Call call) {
        VolumeConfig v = call.dest().volumes().get(call.arg());
        if (v == null) {
            throw new PermissionDenied("Argument not in '" + call.dest().name() + " volumes'");
        }
        return v;
    }

    static void halted(Qube q) {
        if (q.powerState() != PowerState.Halted) {
            throw new QubesVMNotHaltedError("Qube " + q.name() + " is not halted");
        }
    }

    /** qubesd's bool literals for volume flags. */
    private static boolean parseBool(String untrusted) {
        return switch (untrusted.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "yes", "true", "on" -> true;
            case "0", "no", "false", "off" -> false;
            default -> throw new QubesValueError("Invalid literal for boolean value: '" + untrusted + "'");
        };
    }
}
