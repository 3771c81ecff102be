package org.qubicle.api.handlers;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Volume data past the 64 KiB request cap. For the methods in {@link #STREAMED} the socket
 * server reads only the first 64 KiB as the request and binds the rest of the connection's
 * input to {@link #REST}; for {@link #EXPORTED} it binds the connection's output to
 * {@link #OUT}, and the handler writes the whole answer ({@code 0\0} then the image) itself.
 */
public final class VolumePayloads {
    /** Methods whose payload (an image) may exceed the request cap; bounded by the volume size. */
    public static final Set<String> STREAMED = Set.of("admin.vm.volume.Import", "admin.vm.volume.ImportWithSize");
    /** Methods whose answer is an image written straight to the connection. */
    public static final Set<String> EXPORTED = Set.of("admin.vm.volume.Export");

    /** The request's payload beyond what the decoded request holds. */
    public static final ScopedValue<InputStream> REST = ScopedValue.newInstance();
    /** The connection's output, with a flag the handler sets once it has answered. */
    public static final ScopedValue<Answer> OUT = ScopedValue.newInstance();

    /** The connection's output for a handler that answers itself. */
    public static final class Answer {
        private final OutputStream out;
        private volatile boolean answered;

        public Answer(OutputStream out) {
            this.out = out;
        }

        OutputStream begin() throws java.io.IOException {
            answered = true;
            out.write("0\0".getBytes(StandardCharsets.US_ASCII));
            return out;
        }

        /** Whether the handler wrote the answer (then the server writes nothing more). */
        public boolean answered() {
            return answered;
        }
    }

    private VolumePayloads() {
    }

    /** The method name of a raw request header (up to the first {@code +}, space or NUL). */
    public static String methodOf(byte[] untrusted) {
        int i = 0;
        while (i < untrusted.length && i < 256 && untrusted[i] != '+' && untrusted[i] != ' ' && untrusted[i] != 0) {
            i++;
        }
        return new String(untrusted, 0, i, StandardCharsets.US_ASCII);
    }
}
