package org.qubicle.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A qubesd in a child JVM on a given root, for tests that kill it. */
final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final QubesPaths paths;

    private DaemonProcess(Process process, QubesPaths paths) {
        this.process = process;
        this.paths = paths;
    }

    /**
     * Starts the child and waits (at most 60 s) until its socket accepts. A child that dies of
     * SIGTERM while starting was stopped from outside (other test suites on a shared machine
     * clean up stray daemons); it is started again, at most twice.
     */
    static DaemonProcess start(Path root, Path log) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return startOnce(root, log);
            } catch (TerminatedFromOutside e) {
                if (attempt == 2) {
                    throw e;
                }
                System.err.println("KillNineTest: " + e.getMessage() + "; starting again");
            }
        }
    }

    private static final class TerminatedFromOutside extends IOException {
        TerminatedFromOutside(String message) {
            super(message);
        }
    }

    private static DaemonProcess startOnce(Path root, Path log) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xmx256m", "-cp", cp, Qubesd.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("QUBES_ROOT", root.toString());
        DaemonProcess d = new DaemonProcess(pb.start(), new QubesPaths(root));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!d.accepts()) {
            if (!d.process.isAlive()) {
                if (d.process.exitValue() == 143) {
                    throw new TerminatedFromOutside("qubesd got SIGTERM from outside while starting");
                }
                throw new IOException("qubesd exited with " + d.process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                d.close();
                throw new IOException("qubesd did not come up; see " + log);
            }
            Thread.sleep(10);
        }
        return d;
    }

    private boolean accepts() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(paths.adminSocket()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Path socket() {
        return paths.adminSocket();
    }

    Process process() {
        return process;
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, and wait for the process to be gone. */
    int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
