package org.qubicle.daemon.backup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qubicle.driver.QubeProcess;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.QubesException;

/**
 * Where a backup's bytes go: a file on the host (dom0), or the standard input of a
 * command in a qube, as Qubes' {@code qubes.Backup} service does it.
 */
sealed interface BackupTarget extends AutoCloseable {
    OutputStream out();

    /** The backup is complete: flush, and check that the receiver took it. */
    void finish() throws IOException;

    /** The backup failed or was cancelled: remove what was written, stop the receiver. */
    void abort();

    /** A short description for logs and messages. */
    String describe();

    @Override
    default void close() {
    }

    /**
     * A host file. A directory gets {@code qubes-YYYY-MM-DDTHHMMSS} inside it, as qvm-backup
     * names it; anything else is the file itself (replaced).
     */
    static BackupTarget file(Path untrustedPath) throws IOException {
        Path p = untrustedPath;
        if (Files.isDirectory(p)) {
            p = p.resolve("qubes-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss")));
        }
        FileChannel channel = FileChannel.open(p, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new FileTarget(p, channel, new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20));
    }

    /**
     * A qube: its {@code /etc/qubes-rpc/qubes.Backup} if it has one, else the same logic
     * inline. The first line of input is the location: a directory (the backup becomes
     * {@code qubes-backup-<date>} in it) or a command whose input is the backup
     * ({@code cat > /path/file}, {@code ssh host 'cat > x'}).
     */
    static BackupTarget qube(QubeCommands commands, Qube q, String location) throws IOException {
        if (location.contains("\n") || location.contains("\r") || location.contains("\0")) {
            throw new QubesException("Invalid backup destination path");
        }
        QubeProcess p = commands.run(q, SERVICE);
        // Upstream's service chats on stdout ("Starting Backup"); keep the pipe from filling.
        drain(p.stdout(), null);
        // stderr is read all along too, so that a talkative receiver cannot stall the backup,
        // and its start is kept for the error message.
        CompletableFuture<String> err = new CompletableFuture<>();
        drain(p.stderr(), err);
        OutputStream in = p.stdin();
        in.write((location + "\n").getBytes(StandardCharsets.UTF_8));
        return new QubeTarget(q.name(), p, new BufferedOutputStream(in, 1 << 20), err);
    }

    /** Reads a stream to its end; the first {@link #MAX_MESSAGE} bytes complete {@code text}. */
    private static void drain(InputStream s, CompletableFuture<String> text) {
        Thread.ofVirtual().start(() -> {
            byte[] head = new byte[0];
            try (s) {
                head = s.readNBytes(MAX_MESSAGE);
                s.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the process is gone
            } finally {
                if (text != null) {
                    text.complete(new String(head, StandardCharsets.UTF_8).strip());
                }
            }
        });
    }

    /** How much of a receiver's stderr goes into an error message. */
    int MAX_MESSAGE = 4096;

    /**
     * The receiver's own account of a failed write (it exited, or closed its input): its
     * exit code and message, or null when the write failed for another reason.
     */
    default QubesException explain(IOException writeFailure) {
        return null;
    }

    /** qubes.Backup as in qubes-core-agent-linux, in POSIX sh. */
    String SERVICE = """
            if [ -x /etc/qubes-rpc/qubes.Backup ]; then exec /etc/qubes-rpc/qubes.Backup; fi
            IFS= read -r args || exit 1
            if [ -d "$args" ]; then
              exec cat > "$args/qubes-backup-$(date +'%Y-%m-%dT%H%M%S')"
            fi
            cmd=${args%% *}
            if command -v "$cmd" >/dev/null 2>&1; then eval "$args"; else
              echo "Invalid command or directory specified $args" >&2; exit 1; fi
            """;

    /** A host file. */
    record FileTarget(Path path, FileChannel channel, OutputStream out) implements BackupTarget {
        @Override
        public void finish() throws IOException {
            out.flush();
            out.close();
        }

        @Override
        public void abort() {
            // The channel first: a writer blocked on a slow receiver (a FIFO) holds the
            // buffered stream's lock, so closing that stream would wait for it forever; closing
            // the channel makes the blocked write fail at once.
            try {
                channel.close();
            } catch (IOException e) {
                // removing it is what matters
            }
            try {
                out.close();
            } catch (IOException e) {
                // the channel is closed: the buffered rest is dropped, as intended
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // nothing better to do; the caller reports the backup's own error
            }
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /** The input of the receiving command in a qube; {@code err} completes with its stderr. */
    record QubeTarget(String qube, QubeProcess process, OutputStream out, CompletableFuture<String> err)
            implements BackupTarget {
        @Override
        public void finish() throws IOException {
            out.flush();
            out.close();
            try {
                int code = process.waitFor();
                if (code != 0) {
                    // Before the close below: closing the process ends its stderr, which
                    // would cut the message short while it is still being read.
                    throw failed(code);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } finally {
                process.close();
            }
        }

        @Override
        public QubesException explain(IOException writeFailure) {
            try {
                // The write failed because the receiver stopped reading: it has exited or
                // will at once. One that closed its input but lives on is not waited for.
                if (!process.waitFor(Duration.ofSeconds(10))) {
                    return new QubesException("Backup destination in " + qube + " stopped reading its input");
                }
                return failed(process.waitFor());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private QubesException failed(int code) {
            String message;
            try {
                // A child of the receiver may still hold its stderr open: do not wait for it long.
                message = err.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                message = "";
            } catch (ExecutionException | TimeoutException e) {
                message = "";
            }
            return new QubesException("Backup destination in " + qube + " failed"
                    + " (exit " + code + ")" + (message.isEmpty() ? "" : ": " + message));
        }

        @Override
        public void abort() {
            process.kill();
            process.close();
        }

        @Override
        public String describe() {
            return qube;
        }
    }
}
