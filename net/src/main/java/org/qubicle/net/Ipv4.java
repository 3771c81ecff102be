package org.qubicle.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.qubicle.model.exc.QubesValueError;

/** IPv4 helpers: literal parsing without DNS, and text for nft and ip. */
final class Ipv4 {
    private Ipv4() {
    }

    /** Parses a dotted-quad literal; never does a name lookup. */
    static Inet4Address parse(String untrusted) {
        String[] o = untrusted.split("\\.", -1);
        if (o.length != 4) {
            throw new QubesValueError("Invalid IPv4 address: " + untrusted);
        }
        for (String p : o) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                throw new QubesValueError("Invalid IPv4 address: " + untrusted);
            }
        }
        return (Inet4Address) InetAddress.ofLiteral(untrusted);
    }

    static String text(Inet4Address a) {
        return a.getHostAddress();
    }

    static int bits(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }
}
