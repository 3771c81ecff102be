package org.qubicle.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.qubicle.api.client.QubeEntry;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qvm-run}: runs a command in qubes through the daemon's exec socket (the minimum of
 * qrexec). Deviations: it always waits for the command; without {@code --pass-io} the
 * output is discarded. The exit code is the command's (the highest, with several qubes).
 */
@Command(name = "qvm-run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run a command on a specified qube")
public final class QvmRun extends QubesTool {
    @Option(names = {"-p", "--pass-io"}, description = "pass stdio from remote program")
    boolean passIo;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "run command in a qube as this user")
    String user;

    @Option(names = "--no-gui", description = "run the command without GUI (always the case here)")
    boolean noGui;

    @Option(names = "--dispvm", arity = "0..1", fallbackValue = "", paramLabel = "BASE_APPVM",
            description = "create a new disposable, based on BASE_APPVM or the default, run the command there")
    String dispvm;

    @Option(names = "--all", description = "run the command on all running qubes (except dom0)")
    boolean all;

    @Option(names = "--exclude", paramLabel = "NAME", description = "exclude the qube from --all")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--filter-escape-chars", negatable = true,
            description = "filter terminal escape sequences (default if output is a terminal)")
    Boolean filterEscapeChars;

    @Option(names = "--autostart", negatable = true, defaultValue = "true",
            description = "start the qube if it is not running (default)")
    boolean autostart;

    @Parameters(paramLabel = "ARGS", arity = "1..*", description = "VMNAME COMMAND [ARGS...] (COMMAND only with --dispvm or --all)")
    List<String> args = new ArrayList<>();

    public static void main(String[] args) {
        ToolRunner.main(new QvmRun(), args);
    }

    @Override
    int run() throws IOException {
        List<String> targets = new ArrayList<>();
        List<String> cmd;
        if (dispvm != null || all) {
            if (dispvm != null && all) {
                throw usage("--all and --dispvm are mutually exclusive");
            }
            cmd = args;
            if (dispvm != null) {
                targets.add(dispvm.isEmpty() ? "@dispvm" : "@dispvm:" + dispvm);
            } else {
                for (QubeEntry e : qubes().resolve(List.of(), true, exclude)) {
                    if (e.state().equals("Running") || autostart) {
                        targets.add(e.name());
                    }
                }
            }
        } else {
            if (args.size() < 2) {
                throw usage("the following arguments are required: COMMAND");
            }
            targets.add(qubes().require(args.get(0)).name());
            cmd = args.subList(1, args.size());
        }
        if (cmd.isEmpty()) {
            throw usage("the following arguments are required: COMMAND");
        }
        String command = cmd.size() == 1 ? cmd.get(0) : String.join(" ", cmd.stream().map(QvmRun::quote).toList());
        boolean filter = filterEscapeChars != null ? filterEscapeChars : System.console() != null;
        OutputStream out = passIo ? new FileOutputStream(FileDescriptor.out) : OutputStream.nullOutputStream();
        OutputStream err = passIo ? new FileOutputStream(FileDescriptor.err) : OutputStream.nullOutputStream();
        if (filter) {
            out = new EscapeFilter(out);
            err = new EscapeFilter(err);
        }
        int code = 0;
        for (String t : targets) {
            try {
                int c = ExecClient.run(t, user == null ? "DEFAULT" : user, autostart, command,
                        passIo && targets.size() == 1 ? System.in : null, out, err);
                code = Math.max(code, c);
            } catch (QubesException e) {
                err().println(toolName() + ": error: " + t + ": " + e.getMessage());
                err().flush();
                code = Math.max(code, 1);
            }
        }
        return code;
    }

    /** Single-quotes an argument for the qube's /bin/sh, as shlex.quote does. */
    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9@%+=:,./_-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    /** Replaces control characters other than tab, newline and carriage return by '_'. */
    static final class EscapeFilter extends java.io.FilterOutputStream {
        EscapeFilter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            int c = b & 0xff;
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
            out.write(control ? '_' : b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
            out.flush();
        }
    }
}
