package org.qubicle.daemon.net;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny authoritative DNS responder for tests (as net's TinyDns) (UDP, A records only), run as a child JVM
 * inside a test namespace: {@code WorldDns BIND_ADDR PORT name=1.2.3.4 ...}. Known names get
 * their A record (and an empty answer for other types); unknown names get NXDOMAIN.
 */
public final class WorldDns {
    private WorldDns() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, byte[]> records = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            records.put(kv[0].toLowerCase(Locale.ROOT), InetAddress.getByName(kv[1]).getAddress());
        }
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(args[0], Integer.parseInt(args[1])))) {
            System.out.println("ready");
            System.out.flush();
            byte[] buf = new byte[512];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                byte[] reply = answer(buf, p.getLength(), records);
                if (reply != null) {
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            }
        }
    }

    static byte[] answer(byte[] q, int len, Map<String, byte[]> records) {
        if (len < 17) {
            return null;
        }
        int pos = 12;
        StringBuilder name = new StringBuilder();
        while (pos < len && q[pos] != 0) {
            int l = q[pos] & 0xff;
            if (l > 63 || pos + 1 + l > len) {
                return null;
            }
            name.append(name.isEmpty() ? "" : ".").append(new String(q, pos + 1, l, java.nio.charset.StandardCharsets.US_ASCII));
            pos += 1 + l;
        }
        int qEnd = pos + 5;
        if (qEnd > len) {
            return null;
        }
        int qtype = (q[pos + 1] & 0xff) << 8 | q[pos + 2] & 0xff;
        byte[] addr = records.get(name.toString().toLowerCase(Locale.ROOT));
        boolean a = addr != null && qtype == 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84 | (q[2] & 0x01));                // QR, AA, RD copied
        out.write(addr == null ? 0x83 : 0x80);          // RA; NXDOMAIN when unknown
        out.writeBytes(new byte[] {0, 1, 0, (byte) (a ? 1 : 0), 0, 0, 0, 0});
        out.write(q, 12, qEnd - 12);
        if (a) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4});
            out.writeBytes(addr);
        }
        return out.toByteArray();
    }
}
