package org.qubicle.policy.ask;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Asks a prompt agent ({@code qrexec-policy-agent}) that listens on a Unix socket: one
 * connection per question ({@link AskProtocol}). The agent "registers" by listening there.
 *
 * <ul>
 *   <li>No agent (no socket, or nobody accepting): deny, log a line and tell {@code onNoAgent}
 *       (the daemon fires an event), as upstream denies an ask when the source has no GUI
 *       qube to show it.</li>
 *   <li>No answer within the timeout, a closed connection or a malformed answer: deny.</li>
 * </ul>
 * Thread-safe; each question blocks only its caller.
 */
final class SocketAskAgent implements AskAgent {
    private static final Logger LOG = Logger.getLogger(SocketAskAgent.class.getName());

    private final Path socket;
    private final Duration timeout;
    private final Consumer<AskRequest> onNoAgent;

    SocketAskAgent(Path socket, Duration timeout, Consumer<AskRequest> onNoAgent) {
        this.socket = Objects.requireNonNull(socket);
        this.timeout = Objects.requireNonNull(timeout);
        this.onNoAgent = Objects.requireNonNull(onNoAgent);
    }

    @Override
    public Optional<String> ask(AskRequest r) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            LOG.warning("qrexec: no policy prompt agent at " + socket + " (" + e.getMessage() + "): ask for "
                    + r.source() + " -> " + r.serviceAndArg() + " denied");
            onNoAgent.accept(r);
            return Optional.empty();
        }
        CompletableFuture<String> answer = new CompletableFuture<>();
        try (channel) {
            ByteBuffer out = ByteBuffer.wrap(AskProtocol.encode(r));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            // A blocking Unix socket read has no timeout of its own: read in a virtual thread
            // and close the channel when the user takes too long, which ends that read.
            Thread.ofVirtual().name("ask-read").start(() -> {
                try {
                    answer.complete(readLine(channel));
                } catch (IOException | RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
            Optional<String> pick = AskProtocol.parseAnswer(answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS), r);
            LOG.info("qrexec: ask for " + r.source() + " -> " + r.serviceAndArg() + ": "
                    + pick.map(p -> "allow " + p).orElse("deny"));
            return pick;
        } catch (TimeoutException e) {
            LOG.info("qrexec: ask for " + r.source() + " -> " + r.serviceAndArg() + " timed out: deny");
            return Optional.empty();
        } catch (ExecutionException | IOException e) {
            LOG.info("qrexec: ask for " + r.source() + " -> " + r.serviceAndArg() + " failed (" + e + "): deny");
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reads to EOF or the first newline, at most {@link AskProtocol#MAX_ANSWER_BYTES}. */
    private static String readLine(SocketChannel channel) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(AskProtocol.MAX_ANSWER_BYTES);
        while (buf.hasRemaining() && channel.read(buf) >= 0) {
            int nl = indexOfNewline(buf);
            if (nl >= 0) {
                got.write(buf.array(), 0, nl);
                return got.toString(StandardCharsets.US_ASCII);
            }
        }
        got.write(buf.array(), 0, buf.position());
        return got.toString(StandardCharsets.US_ASCII);
    }

    private static int indexOfNewline(ByteBuffer buf) {
        for (int i = 0; i < buf.position(); i++) {
            if (buf.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
