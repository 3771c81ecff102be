package org.qubicle.daemon.net;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal Admin API client over the daemon's real socket. */
record Api(Path socket) {
    /** {@code "0:value"} for success, {@code "2:Type:message"} for an exception. */
    String call(String method, String arg, String dest, String payload) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((method + "+" + arg + " dom0 name " + dest + "\0" + payload)
                    .getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            byte[] raw = Channels.newInputStream(ch).readAllBytes();
            if (raw.length < 2) {
                return "empty";
            }
            String body = new String(raw, 2, raw.length - 2, StandardCharsets.UTF_8);
            if (raw[0] == '0') {
                return "0:" + body;
            }
            String[] p = body.split("\0", -1);
            return "2:" + p[0] + ":" + p[2];
        }
    }

    String call(String method, String arg, String dest) throws IOException {
        return call(method, arg, dest, "");
    }

    String ok(String method, String arg, String dest, String payload) throws IOException {
        String r = call(method, arg, dest, payload);
        if (!r.startsWith("0:")) {
            throw new AssertionError(method + " " + arg + " " + dest + ": " + r);
        }
        return r.substring(2);
    }

    String ok(String method, String arg, String dest) throws IOException {
        return ok(method, arg, dest, "");
    }

    void set(String vm, String property, String value) throws IOException {
        ok("admin.vm.property.Set", property, vm, value);
    }

    /** A property's value (without the {@code default=... type=...} prefix). */
    String get(String vm, String property) throws IOException {
        String[] f = ok("admin.vm.property.Get", property, vm).split(" ", 3);
        return f.length < 3 ? "" : f[2];
    }

    void feature(String vm, String name, String value) throws IOException {
        ok("admin.vm.feature.Set", name, vm, value);
    }

    void firewall(String vm, String... rules) throws IOException {
        ok("admin.vm.firewall.Set", "", vm, String.join("\n", rules) + "\n");
    }
}
