package org.qubicle.backup.tools;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.qubicle.model.exc.QubesException;
import org.qubicle.qrexec.wire.Frames;

/**
 * A backup read out of a qube ({@code qvm-backup-restore --dest-vm}): the daemon's exec
 * socket ({@code $QUBES_ROOT/var/run/qubes/qrexec.sock}, the one dom0's qrexec-client
 * uses) runs {@link #SERVICE} in the qube, started first if needed, and the location goes
 * on its input as the first line, as Qubes' {@code qubes.Restore} reads it. The stream is
 * the command's standard output; a non-zero exit ends it with an IOException that carries
 * the qube's message.
 */
final class QubeSource extends InputStream {
    /**
     * What {@code qubes.Restore} does with the location, without its tar2qfile step: a file is
     * sent as it is, else the first word must be a command, run with the line as its shell
     * line, whose output is the backup. One line, as the exec socket's header takes it.
     */
    static final String SERVICE = "IFS= read -r args || exit 1; exec 0</dev/null;"
            + " if [ -f \"$args\" ]; then exec cat -- \"$args\"; fi;"
            + " cmd=${args%% *};"
            + " if command -v \"$cmd\" >/dev/null 2>&1; then eval \"$args\"; else"
            + " echo \"Invalid command or file specified: $args\" >&2; exit 2; fi";

    /** How much of the qube's stderr an error message keeps. */
    private static final int MAX_MESSAGE = 4096;

    private final String qube;
    private final SocketChannel channel;
    private final InputStream in;
    private final byte[] buf = new byte[Frames.MAX];
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private int pos;
    private int limit;
    private boolean ended;

    private QubeSource(String qube, SocketChannel channel) {
        this.qube = qube;
        this.channel = channel;
        this.in = new BufferedInputStream(Channels.newInputStream(channel), Frames.MAX + 5);
    }

    /** Starts the reading command in {@code qube} ({@code root}: $QUBES_ROOT) and sends the location. */
    static QubeSource open(Path root, String qube, String untrustedLocation) throws IOException {
        if (!qube.matches("[A-Za-z0-9_.-]{1,31}")) {
            throw new QubesException("Invalid VM name: " + qube);
        }
        if (untrustedLocation.indexOf('\n') >= 0 || untrustedLocation.indexOf('\r') >= 0
                || untrustedLocation.indexOf('\0') >= 0) {
            throw new QubesException("Invalid backup location");
        }
        Path sock = root.resolve("var/run/qubes/qrexec.sock");
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(sock));
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), Frames.MAX + 5);
            out.write((qube + " DEFAULT autostart " + SERVICE + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] line = (untrustedLocation + "\n").getBytes(StandardCharsets.UTF_8);
            Frames.write(out, Frames.STDIN, line, 0, line.length);
            Frames.write(out, Frames.STDIN, line, 0, 0);
            return new QubeSource(qube, ch);
        } catch (IOException e) {
            ch.close();
            throw new QubesException("Cannot run a command in " + qube + ": " + e.getMessage());
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (pos == limit) {
            if (ended) {
                return -1;
            }
            next();
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads frames until output comes or the command ends. */
    private void next() throws IOException {
        Frames.Frame f = Frames.read(in, buf);
        if (f == null) {
            throw new IOException("the connection to the daemon was lost while reading from " + qube);
        }
        switch (f.type()) {
            case Frames.STDOUT -> {
                pos = 0;
                limit = f.length();
            }
            case Frames.STDERR -> {
                int keep = Math.min(f.length(), MAX_MESSAGE - stderr.size());
                if (keep > 0) {
                    stderr.write(f.data(), 0, keep);
                }
            }
            case Frames.EXIT -> {
                ended = true;
                int code = f.exitCode();
                if (code != 0) {
                    String msg = stderr.toString(StandardCharsets.UTF_8).strip();
                    throw new IOException("Reading the backup in " + qube + " failed (exit " + code + ")"
                            + (msg.isEmpty() ? "" : ": " + msg));
                }
            }
            case Frames.ERROR, Frames.REFUSED -> {
                ended = true;
                throw new IOException("Cannot read the backup in " + qube + ": " + f.text());
            }
            default -> throw new IOException("unexpected frame " + f.type() + " from the daemon");
        }
    }

    /** Closing early (the reader needs no more) ends the command in the qube. */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
