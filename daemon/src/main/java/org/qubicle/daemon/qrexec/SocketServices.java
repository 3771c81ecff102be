package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qubicle.driver.FileKind;
import org.qubicle.driver.FoundPath;
import org.qubicle.driver.IsolationDriver;
import org.qubicle.driver.QubeProcess;
import org.qubicle.driver.RunningQube;
import org.qubicle.qrexec.wire.CallHeader;

/**
 * Socket services reached from the daemon itself, as qrexec-agent reaches them (spec §9.5):
 * when the target's service, looked up as {@link ServiceRunner} looks it up, is a unix socket,
 * the daemon connects to it through the driver and writes the service descriptor
 * {@code SERVICE+ARG SOURCE TYPE TARGET\0} (unless {@code skip-service-descriptor}): no process
 * starts in the target. Anything else (an executable, a symlink, a service that waits for the
 * session, nothing at all) is left to {@link ServiceRunner}, which also gives the errors.
 */
final class SocketServices {
    static final List<String> DIRS = List.of("/run/qubes-rpc", "/usr/local/etc/qubes-rpc", "/etc/qubes-rpc",
            "/usr/lib/qubicle/rpc", "/run/qubicle/rpc");
    static final List<String> CONFIG_DIRS = List.of("/run/qubes/rpc-config", "/usr/local/etc/qubes/rpc-config",
            "/etc/qubes/rpc-config");
    /** rpc-config files are read up to this size, as upstream reads them. */
    static final int CONFIG_MAX = 4096;
    private static final int NAME_MAX = 255;

    private SocketServices() {
    }

    /** The connected service, its descriptor written; empty when the exec path must run it. */
    static Optional<QubeProcess> open(IsolationDriver d, RunningQube q, CallHeader h, String source,
            String requestedTarget) throws IOException {
        String full = h.service() + "+" + h.argument();
        Optional<String> found = find(d, q, full, h.service());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        RpcConfig config = config(d, q, full, h.service());
        if (config.waitForSession()) {
            return Optional.empty();
        }
        SocketChannel ch = d.connectUnix(q, found.get());
        try {
            if (!config.skipServiceDescriptor()) {
                OutputStream o = Channels.newOutputStream(ch);
                o.write(descriptor(full, source, requestedTarget));
                o.flush();
            }
            return Optional.of(new SocketServiceProcess(ch));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** {@code SERVICE+ARG SOURCE name TARGET\0}, or {@code keyword KEYWORD} without its {@code @}. */
    static byte[] descriptor(String full, String source, String requestedTarget) {
        String target = requestedTarget.startsWith("@") ? "keyword " + requestedTarget.substring(1)
                : "name " + requestedTarget;
        return (full + " " + source + " " + target + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** The path of the first entry for the service, when that entry is a socket. */
    private static Optional<String> find(IsolationDriver d, RunningQube q, String full, String service)
            throws IOException {
        List<String> paths = new ArrayList<>();
        for (String name : full.length() <= NAME_MAX ? List.of(full, service) : List.of(service)) {
            for (String dir : DIRS) {
                paths.add(dir + "/" + name);
            }
        }
        return d.lookupFirst(q, paths).filter(f -> f.kind() == FileKind.SOCKET).map(FoundPath::path);
    }

    private static RpcConfig config(IsolationDriver d, RunningQube q, String full, String service)
            throws IOException {
        List<String> paths = new ArrayList<>();
        for (String dir : CONFIG_DIRS) {
            for (String name : List.of(full, service)) {
                if (name.length() <= NAME_MAX) {
                    paths.add(dir + "/" + name);
                }
            }
        }
        return d.readFirst(q, paths, CONFIG_MAX).map(text -> RpcConfig.parse(new String(text, StandardCharsets.UTF_8)))
                .orElse(RpcConfig.NONE);
    }
}
