package org.qubicle.daemon;

import java.io.IOException;

/**
 * {@code qubesd}: the Admin API daemon, in the foreground until SIGTERM or SIGINT.
 *
 * <p>Every path comes from {@code $QUBES_ROOT} (default {@code /}), so several daemons run side
 * by side on different roots; a lock keeps two off the same root. On an empty root it creates
 * a fresh system holding only dom0 and saves it; otherwise it loads {@code qubes.xml}.
 *
 * <p>Seam for later: lifecycle calls (start, shutdown, kill, pause) and qrexec need an
 * isolation driver. They will come as a further handler group registered in the method table
 * beside the standard one, with the driver handed in by {@link Daemon#start}; the model's power
 * state is what {@code admin.vm.List} and {@code admin.vm.CurrentState} already report.
 */
public final class Qubesd {
    private Qubesd() {
    }

    public static void main(String[] args) {
        // One line per log record, on stderr (journald adds the time stamp in real use).
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "qubesd: %4$s: %5$s%6$s%n");
        }
        System.exit(run(QubesPaths.fromEnvironment()));
    }

    static int run(QubesPaths paths) {
        // The hook is in place before the socket exists: a SIGTERM that arrives while the
        // daemon starts waits for the start to finish, then closes it (socket removed).
        Object starting = new Object();
        java.util.concurrent.atomic.AtomicReference<Daemon> started = new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (starting) {
                Daemon d = started.get();
                if (d != null) {
                    d.close();
                    System.err.println("qubesd: stopped");
                }
            }
        }, "qubesd-shutdown"));
        Daemon daemon;
        synchronized (starting) {
            try {
                daemon = Daemon.start(paths);
            } catch (IllegalStateException | IOException e) {
                System.err.println("qubesd: " + e.getMessage());
                return 1;
            }
            started.set(daemon);
        }
        System.err.println("qubesd: listening on " + paths.adminSocket());
        try {
            daemon.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
