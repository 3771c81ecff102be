package org.qubicle.backup.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.qubicle.api.client.AdminClient;
import org.qubicle.api.client.PropertyValue;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.api.client.QubesDaemonCommunicationError;
import org.qubicle.model.exc.QubesException;

/** The Admin API calls the backup tools make, source dom0. */
final class AdminCalls {
    private final AdminClient client;

    AdminCalls(AdminClient client) {
        this.client = client;
    }

    AdminClient client() {
        return client;
    }

    String call(String dest, String method, String arg, String payload) {
        return client.callText(dest, method, arg, payload);
    }

    /** Every qube on the host, name to class. */
    Map<String, String> qubes() {
        Map<String, String> out = new LinkedHashMap<>();
        for (QubeEntry e : QubeEntry.parseList(call("dom0", "admin.vm.List", null, null))) {
            out.put(e.name(), e.klass());
        }
        return out;
    }

    Set<String> labels() {
        Set<String> out = new LinkedHashSet<>();
        for (String l : call("dom0", "admin.label.List", null, null).split("\n")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** A global property's value, "" when none. */
    String global(String name) {
        return PropertyValue.parseGet(call("dom0", "admin.property.Get", name, null)).value();
    }

    /**
     * {@code admin.vm.volume.ImportWithSize}: the payload is the size in decimal, a newline,
     * then exactly that many bytes, streamed from {@code data} without holding it in memory.
     */
    void importVolume(String qube, String volume, InputStream data, long size, LongConsumer sent) {
        String header = "admin.vm.volume.ImportWithSize+" + volume + " dom0 name " + qube + "\0";
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(client.socket()))) {
            try {
                write(ch, (header + size + "\n").getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[1 << 20];
                long left = size;
                while (left > 0) {
                    int n = data.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new QubesException("volume data of " + qube + ":" + volume + " ended early");
                    }
                    write(ch, ByteBuffer.wrap(buf, 0, n));
                    left -= n;
                    sent.accept(n);
                }
                ch.shutdownOutput();
            } catch (IOException e) {
                // The daemon stopped reading: its answer says why (a refusal), if it sent one.
                decode(readAnswer(ch), e);
                throw e;
            }
            decode(readAnswer(ch), null);
        } catch (IOException e) {
            throw new QubesDaemonCommunicationError("Failed to import volume " + qube + ":" + volume + ": "
                    + e.getMessage(), e);
        }
    }

    private static byte[] readAnswer(SocketChannel ch) throws IOException {
        ByteArrayOutputStream resp = new ByteArrayOutputStream();
        ByteBuffer rb = ByteBuffer.allocate(8192);
        while (ch.read(rb) >= 0) {
            resp.write(rb.array(), 0, rb.position());
            rb.clear();
            if (resp.size() > (1 << 20)) {
                throw new QubesDaemonCommunicationError("Response from qubesd too long");
            }
        }
        return resp.toByteArray();
    }

    private static void write(SocketChannel ch, byte[] b) throws IOException {
        write(ch, ByteBuffer.wrap(b));
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** "0\0value" is success; "2\0Type\0traceback\0message\0" an exception, as AdminClient decodes it. */
    private static void decode(byte[] untrusted, IOException writeFailure) {
        if (untrusted.length >= 2 && untrusted[0] == '0' && untrusted[1] == 0) {
            if (writeFailure != null) {
                throw new QubesDaemonCommunicationError("volume import cut short: " + writeFailure.getMessage());
            }
            return;
        }
        if (untrusted.length >= 2 && untrusted[0] == '2' && untrusted[1] == 0) {
            String[] parts = new String(untrusted, 2, untrusted.length - 2, StandardCharsets.UTF_8).split("\0", -1);
            String type = parts.length > 0 ? parts[0] : "QubesException";
            String message = parts.length > 2 ? parts[2] : "";
            throw remote(type, message);
        }
        if (writeFailure != null) {
            return; // no answer: the caller reports the write failure
        }
        throw new QubesDaemonCommunicationError("Empty response from qubesd: the call was refused");
    }

    private static RuntimeException remote(String type, String message) {
        if (type.matches("[A-Za-z]{1,64}")) {
            try {
                Class<?> c = Class.forName("org.qubicle.model.exc." + type);
                if (RuntimeException.class.isAssignableFrom(c)) {
                    return (RuntimeException) c.getConstructor(String.class).newInstance(message);
                }
            } catch (ReflectiveOperationException e) {
                // an exception class we do not know: a plain QubesException below
            }
        }
        return new QubesException(message);
    }
}
