package org.qubicle.policy.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.qubicle.policy.ask.AskAgent;
import org.qubicle.policy.ask.AskProtocol;
import org.qubicle.policy.ask.AskRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code qrexec-policy-agent}: the dom0 prompt for {@code ask} rules, in a terminal. It listens on
 * {@code $QUBES_ROOT/var/run/qubes/policy-agent.sock} (being there is what registers it with the
 * daemon) and, for each question, prints the calling qube and its label, the service and the
 * numbered targets with the default, then reads one answer line from stdin:
 * a number or a target name allows that target, an empty line the default (deny when there is
 * none), {@code n}/{@code no}/{@code deny} or anything else denies. Questions are asked one at a
 * time; at stdin's end every further question is denied. Scripts (and tests) answer by writing
 * lines to its stdin.
 */
@Command(name = "qrexec-policy-agent", mixinStandardHelpOptions = true,
        description = "Ask the user in this terminal about qrexec calls that the policy says to ask about.")
public final class PolicyAgent implements Callable<Integer>, AutoCloseable {
    @Option(names = "--socket", paramLabel = "PATH",
            description = "Socket to listen on (default $QUBES_ROOT/var/run/qubes/policy-agent.sock).")
    Path socket;

    private final BufferedReader in;
    private final PrintStream out;
    private volatile ServerSocketChannel server;

    PolicyAgent(BufferedReader in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.exit(new CommandLine(new PolicyAgent(in, out)).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path path = socket != null ? socket : AskAgent.socketUnder(root());
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                System.err.println("qrexec-policy-agent: another agent is listening on " + path);
                return 1;
            } catch (IOException stale) {
                Files.delete(path);
            }
        }
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            this.server = server;
            server.bind(UnixDomainSocketAddress.of(path));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }));
            System.err.println("qrexec-policy-agent: listening on " + path);
            while (true) {
                SocketChannel accepted;
                try {
                    accepted = server.accept();
                } catch (java.nio.channels.ClosedChannelException e) {
                    Files.deleteIfExists(path);
                    return 0;
                }
                try (SocketChannel ch = accepted) {
                    serve(ch);
                } catch (IOException e) {
                    // The daemon gave up on this question (its timeout); wait for the next one.
                    System.err.println("qrexec-policy-agent: " + e.getMessage());
                }
            }
        }
    }

    /** Stops listening (the prompt in progress, if any, still finishes). */
    @Override
    public void close() throws IOException {
        ServerSocketChannel s = server;
        if (s != null) {
            s.close();
        }
    }

    private void serve(SocketChannel ch) throws IOException {
        byte[] untrusted = Channels.newInputStream(ch).readNBytes(AskProtocol.MAX_REQUEST_BYTES + 1);
        if (untrusted.length == 0) {
            return; // a probe (another agent checking whether this one is alive)
        }
        Optional<String> pick;
        try {
            AskRequest r = AskProtocol.decode(new String(untrusted, StandardCharsets.UTF_8));
            pick = prompt(r);
        } catch (IllegalArgumentException e) {
            System.err.println("qrexec-policy-agent: malformed question: " + e.getMessage());
            pick = Optional.empty();
        }
        ByteBuffer answer = ByteBuffer.wrap(AskProtocol.answer(pick));
        while (answer.hasRemaining()) {
            ch.write(answer);
        }
    }

    /** Shows one question and reads the answer line. */
    Optional<String> prompt(AskRequest r) throws IOException {
        out.println();
        out.println("qrexec: qube '" + r.source() + "'"
                + (r.sourceLabel().isEmpty() ? "" : " (label " + r.sourceLabel() + ")")
                + " asks to call " + r.serviceAndArg());
        out.println("  Allow it on which target?");
        for (int i = 0; i < r.targets().size(); i++) {
            String t = r.targets().get(i);
            out.println("    " + (i + 1) + ") " + t + (t.equals(r.defaultTarget()) ? "  (default)" : ""));
        }
        out.print("  Number or name; Enter for " + (r.defaultTarget() == null ? "deny" : "the default")
                + "; n to deny: ");
        out.flush();
        String line = in.readLine();
        Optional<String> pick = line == null ? Optional.empty() : choose(r, line.strip());
        out.println(line == null ? "(no input) denied" : pick.map(p -> "allowed on " + p).orElse("denied"));
        return pick;
    }

    static Optional<String> choose(AskRequest r, String answer) {
        if (answer.isEmpty()) {
            return Optional.ofNullable(r.defaultTarget());
        }
        if (answer.matches("[0-9]{1,4}")) {
            int i = Integer.parseInt(answer);
            return i >= 1 && i <= r.targets().size() ? Optional.of(r.targets().get(i - 1)) : Optional.empty();
        }
        return r.offers(answer) ? Optional.of(answer) : Optional.empty();
    }

    private static Path root() {
        String root = System.getProperty("qubicle.root");
        if (root == null || root.isEmpty()) {
            root = System.getenv("QUBES_ROOT");
        }
        return Path.of(root == null || root.isEmpty() ? "/" : root);
    }
}
