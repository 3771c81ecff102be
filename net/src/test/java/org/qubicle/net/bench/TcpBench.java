package org.qubicle.net.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP load tool run inside namespaces by {@link NetBench} (not a test):
 * <ul>
 *   <li>{@code sink BIND PORT}: accepts connections on PORT and discards what they send; on
 *       PORT+1 accepts and closes at once (for {@code connect});</li>
 *   <li>{@code source HOST PORT SECONDS}: sends for SECONDS, prints MB/s;</li>
 *   <li>{@code connect HOST PORT SECONDS}: opens and closes connections for SECONDS, prints connections/s.</li>
 * </ul>
 */
public final class TcpBench {
    private TcpBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sink" -> sink(args[1], Integer.parseInt(args[2]));
            case "source" -> source(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "connect" -> connect(args[1], Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void sink(String bind, int port) throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port), 1024);
            // Connection-rate tests go to port+1, where the accept loop closes each connection
            // itself: thousands of short handlers must not queue in front of a stream's reader
            // (they did with a virtual thread each, and the stream starved: 0 MB/s rounds).
            Thread.ofPlatform().daemon().start(() -> acceptAndClose(bind, port + 1));
            System.out.println("ready");
            System.out.flush();
            while (true) {
                Socket s = ss.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (s; InputStream in = s.getInputStream()) {
                        byte[] buf = new byte[1 << 16];
                        while (in.read(buf) >= 0) {
                            // discard
                        }
                    } catch (Exception ignored) {
                        // the peer went away
                    }
                });
            }
        }
    }

    private static void acceptAndClose(String bind, int port) {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(bind, port), 1024);
            while (true) {
                ss.accept().close();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void source(String host, int port, double seconds) throws Exception {
        byte[] buf = new byte[1 << 16];
        long bytes = 0;
        try (Socket s = new Socket(host, port); OutputStream out = s.getOutputStream()) {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                out.write(buf);
                bytes += buf.length;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("%.1f%n", bytes / secs / 1e6);
        }
    }

    /** Four connectors in parallel, so the figure is the path's capacity, not one round trip's latency. */
    static void connect(String host, int port, double seconds) throws Exception {
        java.util.concurrent.atomic.LongAdder n = new java.util.concurrent.atomic.LongAdder();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    try (Socket s = new Socket()) {
                        // RST on close: no TIME_WAIT pile-up on the client's ports.
                        s.setSoLinger(true, 0);
                        s.connect(new InetSocketAddress(host, port), 5000);
                        n.increment();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("%.0f%n", n.sum() / ((System.nanoTime() - start) / 1e9));
    }
}
