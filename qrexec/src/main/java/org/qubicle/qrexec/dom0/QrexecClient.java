package org.qubicle.qrexec.dom0;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.qubicle.qrexec.wire.Frames;

/**
 * dom0's {@code qrexec-client -d TARGET [-l LOCAL_PROGRAM] [-e] REMOTE}, the subset that matters:
 * REMOTE is {@code USER:COMMAND} (a shell command line in the qube) or
 * {@code USER:QUBESRPC SERVICE+ARG [SOURCE]} (the service run in the qube as a qrexec call
 * from SOURCE, default dom0, through the same runner as qube-to-qube calls). dom0 calls do not
 * go through the policy, as upstream. Talks to the daemon's exec socket
 * ({@code $QUBES_ROOT/var/run/qubes/qrexec.sock}, docs/lifecycle.md); the qube must be running.
 * Exit code: the remote command's (or LOCAL_PROGRAM's), 1 when the daemon refused.
 */
public final class QrexecClient {
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9_.+-]{1,65000}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,63}");
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,31}");

    private QrexecClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String target = null;
        String local = null;
        boolean noWait = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-d" -> target = i + 1 < args.length ? args[++i] : null;
                case "-l" -> local = i + 1 < args.length ? args[++i] : null;
                case "-e" -> noWait = true;
                case "-t", "-T", "-W" -> { } // tty handling and waiting flags: nothing to do here
                case "-w" -> i++;
                case "-h", "--help" -> {
                    System.out.println("usage: qrexec-client -d TARGET [-l LOCAL_PROGRAM] [-e] USER:COMMAND");
                    return 0;
                }
                default -> rest.add(args[i]);
            }
        }
        if (target == null || rest.size() != 1 || !rest.get(0).contains(":")) {
            System.err.println("usage: qrexec-client -d TARGET [-l LOCAL_PROGRAM] [-e] USER:COMMAND");
            return 2;
        }
        String remote = rest.get(0);
        String user = remote.substring(0, remote.indexOf(':'));
        String command = remote.substring(remote.indexOf(':') + 1);
        if (!USER.matcher(user).matches() || !NAME.matcher(target).matches()) {
            System.err.println("qrexec-client: bad user or target");
            return 2;
        }
        if (command.startsWith("QUBESRPC ")) {
            String[] p = command.split(" ");
            String source = p.length > 2 ? p[2] : "dom0";
            if (p.length < 2 || !SERVICE.matcher(p[1]).matches() || p[1].startsWith("+")
                    || !NAME.matcher(source).matches()) {
                System.err.println("qrexec-client: bad QUBESRPC command");
                return 2;
            }
            command = rpcCommand(p[1], source);
        }
        if (command.isEmpty() || command.indexOf('\n') >= 0 || command.indexOf('\0') >= 0) {
            System.err.println("qrexec-client: bad command");
            return 2;
        }
        try {
            return call(target, user, command, local, noWait);
        } catch (IOException e) {
            System.err.println("qrexec-client: " + e.getMessage());
            return 1;
        }
    }

    /** Whether {@code serviceAndArg} is a SERVICE[+ARG] this client sends (qvm-run --service too). */
    public static boolean validService(String serviceAndArg) {
        return SERVICE.matcher(serviceAndArg).matches() && !serviceAndArg.startsWith("+");
    }

    /**
     * The shell line that runs SERVICE+ARG in the qube as a call from SOURCE; both must be
     * valid ({@link #validService}, a qube name).
     */
    public static String rpcCommand(String serviceAndArg, String source) {
        if (!validService(serviceAndArg) || !NAME.matcher(source).matches()) {
            throw new IllegalArgumentException("bad service or source");
        }
        int plus = serviceAndArg.indexOf('+');
        String svc = plus < 0 ? serviceAndArg : serviceAndArg.substring(0, plus);
        String arg = plus < 0 ? "" : serviceAndArg.substring(plus + 1);
        // the runner is in /usr/lib/qubicle, or in /run/qubicle where the qube's root could not take it
        return "export QREXEC_REMOTE_DOMAIN='" + source + "' QREXEC_SERVICE_FULL_NAME='" + svc + "+" + arg + "'"
                + (plus < 0 ? "" : " QREXEC_SERVICE_ARGUMENT='" + arg + "'")
                + " QREXEC_REQUESTED_TARGET_TYPE=''; q=/usr/lib/qubicle; [ -x $q/bin/qrexec-service ] || q=/run/qubicle;"
                + " exec $q/bin/qrexec-service '" + svc + "' '" + arg + "'";
    }

    private static int call(String target, String user, String command, String local, boolean noWait)
            throws IOException {
        String root = System.getenv("QUBES_ROOT");
        Path sock = Path.of(root == null || root.isEmpty() ? "/" : root, "var/run/qubes/qrexec.sock");
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), Frames.MAX + 5);
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), Frames.MAX + 5);
            out.write((target + " " + user + " - " + command + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Process p = null;
            InputStream src = new FileInputStream(FileDescriptor.in);
            OutputStream dst = new FileOutputStream(FileDescriptor.out);
            if (local != null) {
                p = new ProcessBuilder("/bin/sh", "-c", local).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                src = p.getInputStream();
                dst = p.getOutputStream();
            }
            InputStream from = src;
            Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[Frames.MAX];
                try {
                    for (int n = from.read(b); n >= 0; n = from.read(b)) {
                        if (n > 0) {
                            synchronized (out) {
                                Frames.write(out, Frames.STDIN, b, 0, n);
                            }
                        }
                    }
                    synchronized (out) {
                        Frames.write(out, Frames.STDIN, b, 0, 0);
                    }
                } catch (IOException e) {
                    // the command ended first
                }
            });
            if (noWait) {
                return 0;
            }
            byte[] buf = new byte[Frames.MAX];
            OutputStream err = new FileOutputStream(FileDescriptor.err);
            while (true) {
                Frames.Frame f = Frames.read(in, buf);
                if (f == null) {
                    throw new IOException("connection to the daemon lost");
                }
                switch (f.type()) {
                    case Frames.STDOUT -> {
                        if (f.length() > 0) {
                            dst.write(f.data(), 0, f.length());
                            dst.flush();
                        }
                    }
                    case Frames.STDERR -> {
                        err.write(f.data(), 0, f.length());
                        err.flush();
                    }
                    case Frames.EXIT -> {
                        if (p != null) {
                            dst.close();
                            try {
                                return p.waitFor();
                            } catch (InterruptedException e) {
                                return 1;
                            }
                        }
                        return f.exitCode();
                    }
                    case Frames.ERROR -> {
                        System.err.println("qrexec-client: " + f.text());
                        return 1;
                    }
                    default -> throw new IOException("unexpected frame " + f.type());
                }
            }
        }
    }
}
