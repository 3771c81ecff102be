package org.qubicle.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Named network namespaces under {@code /run/netns}, made and entered by the daemon itself
 * as {@code ip netns add/delete} and {@code nsenter --net} do, without starting a process:
 * each of those costs more than the whole set-up here.
 *
 * <p>A network namespace belongs to a thread, not to the process. Every operation runs on
 * a fresh platform thread that moves into the namespace ({@code unshare} or {@code setns}),
 * does its work and ends; no other code ever runs on that thread, so nothing else of the
 * daemon can find itself in a qube's namespace.
 */
final class NetNs {
    static final Path RUN_NETNS = Path.of("/run/netns");

    private NetNs() {
    }

    /** {@code ip netns add NAME}: a new namespace, pinned by a bind mount at {@code /run/netns/NAME}. */
    static void create(String name, Runnable setupInside) {
        Path pin = pin(name);
        shareRunNetns();
        try {
            NetCalls.close(NetCalls.open(pin.toString(), NetCalls.O_RDONLY | NetCalls.O_CREAT | NetCalls.O_EXCL
                    | NetCalls.O_CLOEXEC, 0));
        } catch (NetException e) {
            throw new NetException("cannot create network namespace " + name + ": " + e.getMessage());
        }
        try {
            onThread(() -> {
                NetCalls.unshare(NetCalls.CLONE_NEWNET);
                NetCalls.mount("/proc/thread-self/ns/net", pin.toString(), null, NetCalls.MS_BIND);
                setupInside.run();
                return null;
            });
        } catch (RuntimeException e) {
            delete(name);
            throw e;
        }
    }

    /** Runs {@code inside} on a thread in namespace {@code name}. */
    static <T> T in(String name, Callable<T> inside) {
        return onThread(() -> {
            int fd = NetCalls.open(pin(name).toString(), NetCalls.O_RDONLY | NetCalls.O_CLOEXEC, 0);
            try {
                NetCalls.setns(fd, NetCalls.CLONE_NEWNET);
            } finally {
                NetCalls.close(fd);
            }
            return inside.call();
        });
    }

    /** {@code ip netns delete NAME}: the pin goes; the namespace ends with its last user. */
    static void delete(String name) {
        Path pin = pin(name);
        try {
            NetCalls.umount2(pin.toString(), NetCalls.MNT_DETACH);
        } catch (NetException e) {
            // not mounted (a failed create): only the file is left
        }
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new NetException("cannot remove " + pin + ": " + e.getMessage());
        }
    }

    /** Writes {@code key=value} sysctls of the calling thread's network namespace. */
    static void sysctl(String... settings) {
        for (String s : settings) {
            int eq = s.indexOf('=');
            String key = s.substring(0, eq);
            if (!key.startsWith("net.") || key.contains("..") || key.contains("/")) {
                throw new NetException("not a network sysctl: " + key);
            }
            try {
                Files.writeString(Path.of("/proc/sys", key.replace('.', '/')), s.substring(eq + 1));
            } catch (NoSuchFileException e) {
                throw new NetException("no such sysctl: " + key);
            } catch (IOException e) {
                throw new NetException("sysctl " + s + ": " + e.getMessage());
            }
        }
    }

    private static Path pin(String name) {
        if (name.isEmpty() || name.contains("/") || name.startsWith(".") || name.length() > 200) {
            throw new NetException("bad network namespace name: " + name);
        }
        return RUN_NETNS.resolve(name);
    }

    /**
     * {@code /run/netns} as a shared mount point, as iproute2 makes it: unmounting a pin
     * then unmounts it in every mount namespace, so the namespace can go.
     */
    private static synchronized void shareRunNetns() {
        try {
            Files.createDirectories(RUN_NETNS);
        } catch (IOException e) {
            throw new NetException("cannot create " + RUN_NETNS + ": " + e.getMessage());
        }
        int errno = NetCalls.tryMount("", RUN_NETNS.toString(), "none", NetCalls.MS_SHARED | NetCalls.MS_REC);
        if (errno == NetCalls.EINVAL) {
            NetCalls.mount(RUN_NETNS.toString(), RUN_NETNS.toString(), "none", NetCalls.MS_BIND | NetCalls.MS_REC);
            errno = NetCalls.tryMount("", RUN_NETNS.toString(), "none", NetCalls.MS_SHARED | NetCalls.MS_REC);
        }
        if (errno != 0) {
            throw new NetException("cannot make " + RUN_NETNS + " a shared mount: " + NetCalls.strerror(errno));
        }
    }

    private static <T> T onThread(Callable<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns").daemon().start(() -> {
            try {
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the thread must end before its namespace work is judged
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new NetException(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return result.get();
    }
}
