package org.qubicle.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unit-test stand-in for qubesd: answers each request {@code dest method+arg} from a
 * table of canned answers (success text, or {@code !ExcType:message} for an exception
 * frame) and records every request with its payload. Unknown requests get a
 * ProtocolError frame, so a test notices a call it did not expect.
 */
final class FakeQubesd implements AutoCloseable {
    final Path root;
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final ServerSocketChannel server;
    private final Thread thread;

    FakeQubesd(Path root) throws IOException {
        this.root = root;
        Path socket = root.resolve("var/run/qubesd.sock");
        Files.createDirectories(socket.getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofVirtual().start(this::serve);
    }

    /** Answers {@code method+arg} to {@code dest}. */
    FakeQubesd on(String dest, String methodAndArg, String answer) {
        answers.put(dest + " " + (methodAndArg.contains("+") ? methodAndArg : methodAndArg + "+"), answer);
        return this;
    }

    /** A standard little system: dom0, a template, a netvm and two app qubes. */
    FakeQubesd standard() {
        on("dom0", "admin.vm.List", String.join("\n",
                "dom0 class=AdminVM state=Running uuid=00000000-0000-0000-0000-000000000000",
                "fedora class=TemplateVM state=Halted uuid=1",
                "sys-net class=AppVM state=Running uuid=2",
                "work class=AppVM state=Halted uuid=3",
                "personal class=AppVM state=Paused uuid=4") + "\n");
        on("dom0", "admin.vm.property.GetAll", "label default=False type=label black\n"
                + "qid default=False type=int 0\n");
        on("fedora", "admin.vm.property.GetAll", "label default=False type=label black\n"
                + "netvm default=True type=vm \nqid default=False type=int 1\n"
                + "updateable default=True type=bool True\n");
        on("sys-net", "admin.vm.property.GetAll", "label default=False type=label red\n"
                + "netvm default=False type=vm \nprovides_network default=False type=bool True\n"
                + "template default=True type=vm fedora\nqid default=False type=int 2\n"
                + "gateway default=True type=str 10.138.0.1\n");
        on("work", "admin.vm.property.GetAll", "label default=False type=label blue\n"
                + "netvm default=True type=vm sys-net\ntemplate default=False type=vm fedora\n"
                + "qid default=False type=int 3\nkernelopts default=False type=str a\\nb\n"
                + "memory default=False type=int 600\n");
        on("personal", "admin.vm.property.GetAll", "label default=False type=label yellow\n"
                + "netvm default=False type=vm sys-net\ntemplate default=False type=vm fedora\n"
                + "qid default=False type=int 4\n");
        return this;
    }

    /** The requests seen, as {@code dest method+arg} (payload after a NUL as {@code |}). */
    List<String> calls() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().start(() -> handle(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) >= 0) {
                in.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String req = in.toString(StandardCharsets.UTF_8);
            int nul = req.indexOf('\0');
            String[] header = req.substring(0, nul).split(" ");
            String payload = req.substring(nul + 1);
            String key = header[3] + " " + header[0];
            requests.add(key + (payload.isEmpty() ? "" : "|" + payload));
            String answer = answers.get(key);
            String out;
            if (answer == null) {
                out = "2\0ProtocolError\0\0unexpected call in test: " + key + "\0";
            } else if (answer.startsWith("!")) {
                int colon = answer.indexOf(':');
                out = "2\0" + answer.substring(1, colon) + "\0\0" + answer.substring(colon + 1) + "\0";
            } else {
                out = "0\0" + answer;
            }
            ch.write(ByteBuffer.wrap(out.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // The client went away; nothing to answer.
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        thread.join();
        Files.deleteIfExists(root.resolve("var/run/qubesd.sock"));
    }
}
