package org.qubicle.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qvm-run}, as qubesadmin's {@code qvm_run.py}: runs a command in a qube (or a new
 * disposable, or every running qube) through the daemon's exec socket and waits for it, as
 * upstream does for shell commands. Without {@code --pass-io} the command gets no input and
 * its output is dropped. Exit code: the command's (the highest with several qubes); 1 for a
 * qube not started with {@code --no-autostart}; 255 when the qube cannot be started or
 * reached (upstream returns -1); 2 for usage errors. Not supported: {@code --service}
 * (qrexec services) and GUI (every command runs without GUI).
 */
@Command(name = "qvm-run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run a command on a specified qube")
public final class QvmRun extends QubesTool {
    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "run command in a qube as USER")
    String user;

    @Option(names = {"--autostart", "--auto", "-a"}, description = "option ignored, this is default")
    void autostart(boolean on) {
        autostart = true;
    }

    @Option(names = {"--no-autostart", "--no-auto", "-n"}, description = "do not autostart/unpause qube")
    void noAutostart(boolean on) {
        autostart = false;
    }

    boolean autostart = true;

    @Option(names = {"-p", "--pass-io"}, description = "pass stdio from remote program")
    boolean passIo;

    @Option(names = "--localcmd", paramLabel = "COMMAND", description = "with --pass-io, pass stdio to the given program")
    String localcmd;

    @Option(names = "--gui", description = "run the command with GUI (not available: ignored)")
    boolean gui;

    @Option(names = {"--no-gui", "--nogui"}, description = "run the command without GUI")
    boolean noGui;

    @Option(names = {"--colour-output", "--color-output"}, paramLabel = "COLOUR",
            description = "mark the qube output with given ANSI colour (ie. \"31\" for red)")
    void colorOutput(String c) {
        colorOutput = validColour(c);
    }

    @Option(names = {"--colour-stderr", "--color-stderr"}, paramLabel = "COLOUR",
            description = "mark the qube stderr with given ANSI colour (ie. \"31\" for red)")
    void colorStderr(String c) {
        colorStderr = validColour(c);
    }

    @Option(names = {"--no-colour-output", "--no-color-output"}, description = "disable colouring the stdio")
    void noColorOutput(boolean on) {
        colorOutput = "";
    }

    @Option(names = {"--no-colour-stderr", "--no-color-stderr"}, description = "disable colouring the stderr")
    void noColorStderr(boolean on) {
        colorStderr = "";
    }

    /** null: not given; "": turned off; else the SGR colour. */
    String colorOutput;
    String colorStderr;

    @Option(names = "--filter-escape-chars", description = "filter terminal escape sequences (default if output is terminal)")
    void filter(boolean on) {
        filterEsc = true;
    }

    @Option(names = "--no-filter-escape-chars",
            description = "do not filter terminal escape sequences; DANGEROUS when output is a terminal emulator")
    void noFilter(boolean on) {
        filterEsc = false;
    }

    Boolean filterEsc;

    @Option(names = "--no-shell", description = "treat COMMAND as a simple executable, not a shell command")
    boolean noShell;

    @Option(names = "--service", description = "run a qrexec service (named by COMMAND) instead of shell command")
    boolean service;

    @Option(names = "--dispvm", arity = "0..1", fallbackValue = "", paramLabel = "DISPOSABLE_TEMPLATE",
            description = "start a service in new disposable qube; optionally specify a disposable template, "
                    + "else the system default will be used")
    String dispvm;

    @Option(names = "--all", description = "run command on all running qubes")
    boolean all;

    @Option(names = "--exclude", paramLabel = "EXCLUDE", description = "exclude the qube from --all")
    List<String> exclude = new ArrayList<>();

    @Parameters(paramLabel = "ARGS", arity = "0..*", completionCandidates = QubeNames.class,
            description = "[VMNAME] COMMAND [ARG...] (no VMNAME with --dispvm or --all); ARGs imply --no-shell")
    List<String> args = new ArrayList<>();

    /** As argparse's REMAINDER: everything from the first positional on belongs to the command. */
    @Spec
    void stopAtPositional(CommandSpec s) {
        s.parser().stopAtPositional(true);
    }

    public static void main(String[] args) {
        ToolRunner.main(new QvmRun(), args);
    }

    private static String validColour(String c) {
        if (!c.matches("[0-9;]{1,16}")) {
            throw new UsageError("bad colour: " + Py.repr(c));
        }
        return c;
    }

    @Override
    int run() throws Exception {
        if (!all && !exclude.isEmpty()) {
            throw usage("--exclude can only be used with --all");
        }
        if (all && dispvm != null) {
            throw usage("argument --all: not allowed with argument --dispvm");
        }
        List<String> pos = new ArrayList<>(args);
        String vmname = null;
        if (dispvm == null && !all) {
            if (pos.isEmpty()) {
                throw usage("the following arguments are required: VMNAME, COMMAND");
            }
            vmname = pos.remove(0);
        }
        if (pos.isEmpty()) {
            throw usage("the following arguments are required: COMMAND");
        }
        boolean filter = filterEsc != null ? filterEsc : isTerminal(1);
        if (passIo) {
            if (colorOutput == null && filter) {
                colorOutput = "31";
            }
            if (colorStderr == null && isTerminal(2)) {
                colorStderr = "31";
            }
        }
        String colOut = colorOutput == null ? "" : colorOutput;
        String colErr = colorStderr == null ? "" : colorStderr;
        if (localcmd != null && !passIo) {
            throw usage("--localcmd have no effect without --pass-io");
        }
        if (!colOut.isEmpty() && !filter) {
            throw usage("--color-output must be used with --filter-escape-chars");
        }
        if (dispvm != null && !exclude.isEmpty()) {
            throw usage("Cannot use --exclude with --dispvm");
        }
        // Several words (or --no-shell) run as an executable with arguments; one word is a
        // shell command line. Either goes to qubes.VMShell as its first input line, as
        // upstream does for a template without the vmexec feature.
        if (service && pos.size() != 1) {
            throw usage("--service takes exactly one COMMAND: the service name");
        }
        if (service && !VmShell.validService(pos.get(0))) {
            throw usage("invalid service name: " + Py.repr(pos.get(0)));
        }
        String command = pos.size() == 1 && !noShell ? pos.get(0)
                : String.join(" ", pos.stream().map(QvmRun::quote).toList());
        int verbose = common.level() - (passIo ? 1 : 0);

        List<String> targets = new ArrayList<>();
        if (dispvm != null) {
            targets.add(dispvm.isEmpty() ? "@dispvm" : "@dispvm:" + dispvm);
        } else if (all) {
            List<QubeEntry> chosen = qubes().resolve(List.of(), true, exclude);
            if (chosen.size() > 1 && passIo && localcmd == null) {
                throw usage("--passio cannot be used when more than 1 qube is chosen and no --localcmd is used");
            }
            for (QubeEntry e : chosen) {
                if (e.state().equals("Running") && !internal(e.name())) {
                    targets.add(e.name());
                }
            }
        } else {
            targets.add(qubes().require(vmname).name());
        }

        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        if (!colOut.isEmpty()) {
            stdout.print("\033[0;" + colOut + "m");
            stdout.flush();
        }
        if (!colErr.isEmpty()) {
            stderr.print("\033[0;" + colErr + "m");
            stderr.flush();
        }
        int code = 0;
        try {
            for (String t : targets) {
                boolean disp = t.startsWith("@dispvm");
                if (!disp) {
                    String state = qubes().domains().get(t).state();
                    if (!autostart && !isStarted(state)) {
                        note(stderr, verbose, colErr, "Qube '" + t + "' not started");
                        code = Math.max(code, 1);
                        continue;
                    }
                    try {
                        if (state.equals("Paused")) {
                            if (!autostart) {
                                note(stderr, verbose, colErr, "Qube '" + t + "' is paused");
                                code = Math.max(code, 1);
                                continue;
                            }
                            try {
                                qubes().call(t, "admin.vm.Unpause", null, null);
                            } catch (QubesException e) {
                                note(stderr, verbose, colErr, "Qube '" + t + "' cannot be unpaused");
                                code = Math.max(code, 1);
                                continue;
                            }
                        } else if (autostart && !isStarted(state)) {
                            qubes().call(t, "admin.vm.Start", null, null);
                        }
                    } catch (QubesException e) {
                        return fail(stdout, colOut, t, e);
                    }
                }
                note(stderr, verbose, colErr, "Running '" + pos.get(0) + "' on " + (disp ? "a disposable" : t));
                int c;
                try {
                    c = runOne(t, command, filter, stdout, stderr);
                } catch (QubesException e) {
                    return fail(stdout, colOut, t, e);
                }
                if (c != 0) {
                    note(stderr, verbose, colErr, t + ": command failed with code: " + c);
                }
                code = Math.max(code, c);
            }
        } finally {
            if (!colOut.isEmpty()) {
                stdout.print("\033[0m");
                stdout.flush();
            }
            if (!colErr.isEmpty()) {
                stderr.print("\033[0m");
                stderr.flush();
            }
        }
        return code;
    }

    private static boolean isStarted(String state) {
        return !state.equals("Halted") && !state.equals("NA") && !state.equals("Crashed");
    }

    private boolean internal(String vm) {
        try {
            String v = qubes().call(vm, "admin.vm.feature.Get", "internal", null);
            return !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
        } catch (QubesException e) {
            return false;
        }
    }

    /** Upstream logs the error on the qube's logger and returns -1 (exit status 255). */
    private int fail(PrintStream stdout, String colOut, String vm, QubesException e) {
        if (!colOut.isEmpty()) {
            stdout.print("\033[0m");
            stdout.flush();
        }
        log("vm." + (vm.startsWith("@dispvm") ? "disp" : vm), e.getMessage());
        return 255;
    }

    /** qvm-run's print_no_color: the message in the terminal's own colour. */
    private static void note(PrintStream stderr, int verbose, String colErr, String msg) {
        if (verbose > 0) {
            stderr.println(colErr.isEmpty() ? msg : "\033[0m" + msg + "\033[0;" + colErr + "m");
            stderr.flush();
        }
    }

    private int runOne(String target, String command, boolean filter, PrintStream stdout, PrintStream stderr)
            throws IOException, InterruptedException {
        String u = user == null ? "DEFAULT" : user;
        // The qube runs qubes.VMShell (or the --service) as a qrexec service called by dom0;
        // a shell command is its first line of input, ending with "; exit".
        String rpc = VmShell.serviceCommand(service ? command : VmShell.SERVICE);
        byte[] prefix = service ? new byte[0] : VmShell.input(command);
        if (!passIo) {
            return ExecClient.run(target, u, false, rpc, new java.io.ByteArrayInputStream(prefix),
                    OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        }
        // qrexec-client filters stdout with -t and stderr with -T (filter, or stderr a terminal).
        OutputStream err = filter || isTerminal(2) ? new EscapeFilter(stderr) : stderr;
        if (localcmd == null) {
            OutputStream out = filter ? new EscapeFilter(stdout) : stdout;
            return ExecClient.run(target, u, false, rpc, VmShell.prefixed(prefix, System.in), out, err);
        }
        // --localcmd: the local program's stdout feeds the remote stdin and the remote
        // stdout feeds the local program's stdin; the local stderr stays ours.
        Process local = new ProcessBuilder("/bin/sh", "-c", localcmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code;
        try (InputStream fromLocal = local.getInputStream(); OutputStream toLocal = local.getOutputStream()) {
            code = ExecClient.run(target, u, false, rpc, VmShell.prefixed(prefix, fromLocal), new CloseShield(toLocal),
                    err);
        }
        int lc = local.waitFor();
        return Math.max(code, lc);
    }

    /** Whether fd 1 or 2 is a terminal (Java 22+ has a Console even when redirected). */
    static boolean isTerminal(int fd) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Single-quotes an argument for the qube's /bin/sh, as shlex.quote does. */
    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9@%+=:,./_-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    /** Keeps ExecClient from closing the local program's stdin before we do. */
    private static final class CloseShield extends java.io.FilterOutputStream {
        CloseShield(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /**
     * qrexec-client's escape filter: every byte that could start or be part of a terminal
     * control sequence (C0 controls except tab, newline, carriage return, backspace and bell;
     * DEL) becomes '_'. Bytes of 0x80 and above pass, so UTF-8 text stays readable.
     */
    static final class EscapeFilter extends java.io.FilterOutputStream {
        EscapeFilter(OutputStream out) {
            super(out);
        }

        static boolean unsafe(int c) {
            return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\b' && c != 0x07) || c == 0x7f;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(unsafe(b & 0xff) ? '_' : b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] copy = new byte[len];
            for (int i = 0; i < len; i++) {
                int c = b[off + i] & 0xff;
                copy[i] = unsafe(c) ? (byte) '_' : b[off + i];
            }
            out.write(copy, 0, len);
            out.flush();
        }
    }
}
