package org.qubicle.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.qubicle.qrexec.dom0.QrexecClient;

/**
 * How qvm-run reaches a qube, as upstream's does: the service {@code qubes.VMShell} called
 * from dom0 (the same runner as qrexec-client's {@code QUBESRPC}), with the shell command as
 * its first line of input, or another service with {@code --service}.
 */
final class VmShell {
    static final String SERVICE = "qubes.VMShell";

    private VmShell() {
    }

    static boolean validService(String serviceAndArg) {
        return QrexecClient.validService(serviceAndArg);
    }

    /** The exec socket's COMMAND that runs the service as a call from dom0. */
    static String serviceCommand(String serviceAndArg) {
        return QrexecClient.rpcCommand(serviceAndArg, "dom0");
    }

    /** The shell's input for {@code command}: the command, then exit (qubesadmin's prepare_input_for_vmshell). */
    static byte[] input(String command) {
        return (command + "; exit\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code prefix} and then {@code rest}. */
    static InputStream prefixed(byte[] prefix, InputStream rest) {
        return prefix.length == 0 ? rest : new SequenceInputStream(new ByteArrayInputStream(prefix), rest);
    }
}
