package org.qubicle.qrexec.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qubicle.qrexec.filecopy.Archive;
import org.qubicle.qrexec.wire.CallHeader;
import org.qubicle.qrexec.wire.Frames;

/**
 * The training run behind the tools' AOT cache ({@code qubicle-agent aot-training}, run by the
 * daemon when it builds the runtime): a call over a loopback socket through the same client
 * code, and a small archive unpacked, so that the classes a real call needs are in the cache.
 */
final class Training {
    private Training() {
    }

    static int run() {
        try {
            Path dir = Files.createTempDirectory("qubicle-aot");
            Path sock = dir.resolve("s");
            ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ss.bind(UnixDomainSocketAddress.of(sock));
            Thread server = Thread.ofPlatform().daemon().start(() -> serve(ss));
            for (int i = 0; i < 20; i++) {
                try (Channel c = Channel.open(sock, "target", "qubes.Training+x")) {
                    ClientVm.attach(c, new ByteArrayInputStream(new byte[100]), new ByteArrayOutputStream(),
                            new ByteArrayOutputStream());
                }
            }
            ss.close();
            server.join(1000);
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(a);
            d.write(Archive.MAGIC);
            byte[] name = "f".getBytes();
            d.writeByte(Archive.FILE);
            d.writeShort(name.length);
            d.write(name);
            d.writeShort(0644);
            d.writeLong(0);
            d.writeLong(3);
            d.write(new byte[3]);
            d.writeByte(Archive.END);
            d.writeShort(0);
            Path dest = Files.createDirectories(dir.resolve("in"));
            new FileReceiver.Unpacker(dest, Channels.newChannel(new ByteArrayInputStream(a.toByteArray()))).run();
            FileSender.deleteTree(dir);
            return 0;
        } catch (IOException | InterruptedException e) {
            System.err.println("training: " + e);
            return 1;
        }
    }

    private static void serve(ServerSocketChannel ss) {
        byte[] buf = new byte[Frames.MAX];
        while (ss.isOpen()) {
            try (SocketChannel c = ss.accept()) {
                InputStream in = Channels.newInputStream(c);
                OutputStream out = Channels.newOutputStream(c);
                CallHeader.parse(CallHeader.readLine(in));
                for (Frames.Frame f = Frames.read(in, buf); f != null && f.length() > 0; f = Frames.read(in, buf)) {
                    Frames.write(out, Frames.STDOUT, f.data(), 0, f.length());
                }
                Frames.write(out, Frames.STDOUT, buf, 0, 0);
                Frames.writeExit(out, 0);
            } catch (IOException e) {
                return;
            }
        }
    }
}
