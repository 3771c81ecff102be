package org.qubicle.qrexec.agent;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import org.qubicle.qrexec.wire.Frames;

/**
 * {@code qrexec-client-vm TARGET SERVICE[+ARG] [LOCAL_PROGRAM [ARG...]]}, as upstream:
 * without a program, this process's stdin goes to the service and the service's stdout and
 * stderr come out here; with one, the program runs with its stdin and stdout connected to the
 * service (its stderr stays ours). Exit code: the service's, or the local program's when one
 * ran; 126 when the call is refused, 125 on a local problem.
 */
final class ClientVm {
    static final int REFUSED = 126;
    static final int LOCAL_ERROR = 125;

    private ClientVm() {
    }

    static int main(String[] args) {
        int i = 0;
        while (i < args.length && args[i].startsWith("-") && !args[i].equals("-")) {
            if (args[i].equals("--")) {
                i++;
                break;
            }
            if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("usage: qrexec-client-vm TARGET SERVICE[+ARG] [LOCAL_PROGRAM [ARG...]]");
                return 0;
            }
            // upstream's --buffer-size, --no-filter-escape-chars-stderr etc. change nothing here
            i++;
        }
        if (args.length - i < 2) {
            System.err.println("usage: qrexec-client-vm TARGET SERVICE[+ARG] [LOCAL_PROGRAM [ARG...]]");
            return 2;
        }
        String target = args[i];
        String service = args[i + 1];
        List<String> local = Arrays.asList(args).subList(i + 2, args.length);
        try (Channel c = Channel.open(target, service)) {
            return local.isEmpty() ? attach(c, new FileInputStream(FileDescriptor.in),
                    new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err))
                    : runLocal(c, local);
        } catch (IllegalArgumentException e) {
            System.err.println("qrexec-client-vm: " + e.getMessage());
            return LOCAL_ERROR;
        } catch (IOException e) {
            System.err.println("qrexec-client-vm: " + e.getMessage());
            return LOCAL_ERROR;
        }
    }

    /** Connects {@code stdin}/{@code stdout}/{@code stderr} to the call; returns the exit code. */
    static int attach(Channel c, InputStream stdin, OutputStream stdout, OutputStream stderr) throws IOException {
        Thread sender = Thread.ofPlatform().daemon().start(() -> {
            try {
                c.sendAll(stdin);
            } catch (IOException e) {
                // the call ended first
            }
        });
        return receive(c, stdout, stderr, null);
    }

    /** Reads frames until the exit code; a zero-length STDOUT runs {@code onStdoutEof}. */
    static int receive(Channel c, OutputStream stdout, OutputStream stderr, Runnable onStdoutEof) throws IOException {
        while (true) {
            Frames.Frame f = c.read();
            if (f == null) {
                System.err.println("qrexec-client-vm: connection to the daemon lost");
                return LOCAL_ERROR;
            }
            switch (f.type()) {
                case Frames.STDOUT -> {
                    if (f.length() == 0) {
                        stdout.flush();
                        if (onStdoutEof != null) {
                            onStdoutEof.run();
                        }
                    } else {
                        try {
                            stdout.write(f.data(), 0, f.length());
                            stdout.flush();
                        } catch (IOException e) {
                            // our reader went away; keep draining so the exit code still arrives
                        }
                    }
                }
                case Frames.STDERR -> {
                    stderr.write(f.data(), 0, f.length());
                    stderr.flush();
                }
                case Frames.EXIT -> {
                    return f.exitCode();
                }
                case Frames.REFUSED -> {
                    System.err.println("Request refused" + (f.length() > 0 ? ": " + f.text() : ""));
                    return REFUSED;
                }
                case Frames.ERROR -> {
                    System.err.println("qrexec-client-vm: " + f.text());
                    return LOCAL_ERROR;
                }
                default -> throw new IOException("unexpected frame type " + f.type());
            }
        }
    }

    private static int runLocal(Channel c, List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.err.println("qrexec-client-vm: cannot run " + command.get(0) + ": " + e.getMessage());
            c.endInput();
            return LOCAL_ERROR;
        }
        OutputStream toLocal = p.getOutputStream();
        Thread sender = Thread.ofPlatform().daemon().start(() -> {
            try {
                c.sendAll(p.getInputStream());
            } catch (IOException e) {
                // the call ended first
            }
        });
        Runnable closeLocal = () -> {
            try {
                toLocal.close();
            } catch (IOException e) {
                // already gone
            }
        };
        receive(c, toLocal, new FileOutputStream(FileDescriptor.err), closeLocal);
        closeLocal.run();
        try {
            int code = p.waitFor();
            sender.join(2000);
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LOCAL_ERROR;
        }
    }
}
