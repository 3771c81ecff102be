package org.qubicle.qrexec.agent;

import java.util.Arrays;

/**
 * Entry point of every in-qube tool: {@code /usr/lib/qubicle/bin/qubicle-agent TOOL ARGS...}.
 * The tool's name comes from the symlink the user ran ({@code qrexec-client-vm}, {@code qvm-copy},
 * ...). One small main keeps the in-qube class path and its start-up cache to one jar.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: qubicle-agent TOOL [ARG...]");
            exit(125);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        exit(run(args[0], rest));
    }

    /**
     * Flushes the standard streams and halts. {@code System.exit} would first look up a
     * {@code System.Logger} to log the exit, which starts java.util.logging and scans the class
     * path for logger services: about 7 ms of a tool's 30 ms start. The tools register no
     * shutdown hooks, so halting loses nothing.
     */
    static void exit(int code) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    static int run(String tool, String[] args) {
        return switch (tool) {
            case "qrexec-client-vm" -> ClientVm.main(args);
            case "qvm-copy" -> FileSender.main("qvm-copy", args);
            case "qvm-move" -> FileSender.main("qvm-move", args);
            case "qvm-copy-to-vm" -> FileSender.main("qvm-copy-to-vm", args);
            case "qvm-move-to-vm" -> FileSender.main("qvm-move-to-vm", args);
            case "qfile-unpacker" -> FileReceiver.main(args);
            case "qvm-open-in-vm" -> OpenInVm.send(false, args);
            case "qvm-open-in-dvm" -> OpenInVm.send(true, args);
            case "qopen-in-vm" -> OpenInVm.serve(args);
            case "qrexec-socket-service" -> SocketService.main(args);
            case "aot-training" -> Training.run();
            default -> {
                System.err.println("qubicle-agent: unknown tool " + tool);
                yield 125;
            }
        };
    }
}
