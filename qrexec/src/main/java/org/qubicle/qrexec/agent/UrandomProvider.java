package org.qubicle.qrexec.agent;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.Provider;
import java.security.SecureRandomSpi;

/**
 * The random generator that a first UNIX socket asks the JDK for, without the JDK's
 * providers. When its socket class loads, the JDK picks a {@code NativePRNGNonBlocking}
 * generator (for the names of sockets bound without one, which a client never binds), and
 * finding it builds the SUN provider with all its algorithm entries: about 4 ms of a tool's
 * cold start, a tenth of a call's. {@link #whileOpening} has that one lookup served by this
 * provider instead, whose generator reads {@code /dev/urandom} as the JDK's does.
 *
 * <p>It sets a provider list for the current thread only, through the JDK's own hook for that
 * ({@code sun.security.jca.Providers}, which the launcher exports to us with
 * {@code --add-exports java.base/sun.security.jca=ALL-UNNAMED}). Without the export, or on a
 * JDK whose internals differ, the action runs with the JDK's providers, as anywhere else.
 * The in-qube tools open their sockets through it ({@code Channel}), and so does dom0's
 * {@code qvm-run} for the exec socket.
 */
public final class UrandomProvider extends Provider {
    private static final String ALGORITHM = "NativePRNGNonBlocking";

    private UrandomProvider() {
        super("QubicleUrandom", "1", "/dev/urandom for the JDK's first UNIX socket");
        putService(new Service(this, "SecureRandom", ALGORITHM, UrandomSpi.class.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new UrandomSpi();
            }
        });
    }

    /** An action that opens the first socket. */
    @FunctionalInterface
    public interface Opening<T> {
        T open() throws IOException;
    }

    /** Runs {@code opening} with this provider as the current thread's only one, if the JDK lets us. */
    public static <T> T whileOpening(Opening<T> opening) throws IOException {
        Method end;
        Object previous;
        try {
            Class<?> providers = Class.forName("sun.security.jca.Providers");
            Class<?> list = Class.forName("sun.security.jca.ProviderList");
            Object ours = list.getMethod("newList", Provider[].class)
                    .invoke(null, (Object) new Provider[] {new UrandomProvider()});
            end = providers.getMethod("endThreadProviderList", list);
            previous = providers.getMethod("beginThreadProviderList", list).invoke(null, ours);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return opening.open(); // not exported to us, or another JDK: the usual way
        }
        try {
            return opening.open();
        } finally {
            try {
                end.invoke(null, previous);
            } catch (IllegalAccessException | InvocationTargetException e) {
                // begin worked, so end does; nothing to undo otherwise
            }
        }
    }

    /** Bytes from /dev/urandom; a seed adds nothing the kernel pool needs. */
    static final class UrandomSpi extends SecureRandomSpi {
        @Override
        protected void engineSetSeed(byte[] seed) {
            // the kernel's pool is seeded already
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            try (FileInputStream in = new FileInputStream("/dev/urandom")) {
                int n = 0;
                while (n < bytes.length) {
                    int r = in.read(bytes, n, bytes.length - n);
                    if (r < 0) {
                        throw new IOException("/dev/urandom ended");
                    }
                    n += r;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /dev/urandom", e);
            }
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            byte[] b = new byte[numBytes];
            engineNextBytes(b);
            return b;
        }
    }
}
